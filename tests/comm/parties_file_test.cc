// The parties file of the tcp backend: the format, and an error naming file, line and problem
// for each kind of mistake.
#include "sotto/comm/parties_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sotto/error.h"

namespace sotto {
namespace {

const std::string kKey = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

TEST(PartiesFile, ParsesCommentsBlankLinesKeysAndAnyRankOrder) {
  const auto f = parsePartiesText(
      "# a job of three\n"
      "\n"
      "2  10.0.0.3:7002\t" +
      kKey +
      "  # the dealer\n"
      "0 10.0.0.1:7000\r\n"
      "   1 bob.example:65535\n");
  ASSERT_EQ(f.worldSize(), 3);
  EXPECT_EQ(f.parties[0].host, "10.0.0.1");
  EXPECT_EQ(f.parties[0].port, 7000);
  EXPECT_FALSE(f.parties[0].public_key);
  EXPECT_EQ(f.parties[1].host, "bob.example");
  EXPECT_EQ(f.parties[1].port, 65535);
  ASSERT_TRUE(f.parties[2].public_key);
  EXPECT_EQ((*f.parties[2].public_key)[0], 0x00);
  EXPECT_EQ((*f.parties[2].public_key)[1], 0x11);
  EXPECT_EQ((*f.parties[2].public_key)[31], 0xff);
  // Round trip through the formatter.
  const auto again = parsePartiesText(formatPartiesFile(f));
  EXPECT_EQ(again.parties[2].public_key, f.parties[2].public_key);
  EXPECT_EQ(again.parties[1].host, "bob.example");
}

std::string errorOf(const std::string& text) {
  try {
    parsePartiesText(text, "job.parties");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PartiesFile, ErrorsNameFileLineAndProblem) {
  using ::testing::HasSubstr;
  EXPECT_THAT(errorOf("0 h:1\nlocalhost:7000\n"),
              HasSubstr("parties file job.parties, line 2: expected a rank"));
  EXPECT_THAT(errorOf("0 h:1\n# x\n0 h:2\n"),
              HasSubstr("line 3: duplicate rank 0 (also on line 1)"));
  EXPECT_THAT(errorOf("0 h:1\n2 h:2\n"),
              HasSubstr("line 2: ranks must be 0..1, but rank 1 is missing"));
  EXPECT_THAT(errorOf("1 h:1\n"), HasSubstr("rank 0 is missing"));
  EXPECT_THAT(errorOf("0 h:0\n"), HasSubstr("line 1: bad port '0'"));
  EXPECT_THAT(errorOf("0 h:70000\n"), HasSubstr("bad port '70000'"));
  EXPECT_THAT(errorOf("0 h:x1\n"), HasSubstr("bad port 'x1'"));
  EXPECT_THAT(errorOf("0 hostonly\n"), HasSubstr("line 1: expected host:port"));
  EXPECT_THAT(errorOf("0\n"), HasSubstr("line 1: rank 0 has no host:port"));
  EXPECT_THAT(errorOf("0 h:1 abcd\n"), HasSubstr("bad public key: expected 64 hex digits"));
  EXPECT_THAT(errorOf("0 h:1 " + kKey.substr(0, 62) + "zz\n"),
              HasSubstr("bad public key: 'zz' at position 62 is not hex"));
  EXPECT_THAT(errorOf("0 h:1 " + kKey + " extra\n"), HasSubstr("unexpected field 'extra'"));
  EXPECT_THAT(errorOf("0 ::1:7000\n"), HasSubstr("IPv6"));
  EXPECT_THAT(errorOf("# nothing\n\n"), HasSubstr("job.parties: no parties"));
  EXPECT_THAT(errorOf("-1 h:1\n"), HasSubstr("expected a rank"));
}

TEST(PartiesFile, ReadsFilesAndNamesMissingOnes) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("sotto-parties-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::ofstream(path) << "0 127.0.0.1:7000\n1 127.0.0.1:7001\n";
  EXPECT_EQ(parsePartiesFile(path.string()).worldSize(), 2);
  EXPECT_EQ(parsePartiesFile(path.string()).source, path.string());
  std::filesystem::remove(path);
  try {
    parsePartiesFile(path.string());
    FAIL() << "no error for a missing file";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(path.string() + ": cannot be opened"));
  }
}

}  // namespace
}  // namespace sotto
