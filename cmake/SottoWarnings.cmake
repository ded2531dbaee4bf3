# sotto_warnings(target): the project's warning flags (-Wall -Wextra, zero tolerated).
function(sotto_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local)
  if(SOTTO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
