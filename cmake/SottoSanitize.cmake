# SOTTO_SANITIZE: build every target of the tree with sanitizers, for the sanitizer jobs
# (scripts/sanitize). "address,undefined" (AddressSanitizer + UndefinedBehaviorSanitizer) or
# "thread" (ThreadSanitizer); empty (the default) builds without. Findings abort the test that
# triggers them (-fno-sanitize-recover), so a sanitizer job is green only when it is clean.
set(SOTTO_SANITIZE "" CACHE STRING "Sanitizers: address,undefined | thread | empty for none")
set_property(CACHE SOTTO_SANITIZE PROPERTY STRINGS "" "address,undefined" "thread")
if(SOTTO_SANITIZE)
  if(NOT SOTTO_SANITIZE MATCHES "^(address,undefined|undefined,address|address|undefined|thread)$")
    message(FATAL_ERROR "SOTTO_SANITIZE='${SOTTO_SANITIZE}': use address,undefined or thread "
                        "(TSan cannot be combined with ASan)")
  endif()
  message(STATUS "Sotto: sanitizers ${SOTTO_SANITIZE}")
  add_compile_options(-fsanitize=${SOTTO_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${SOTTO_SANITIZE})
endif()
