#include "bnlstm/core/printable.hpp"

#include <gtest/gtest.h>

namespace bnlstm {
namespace {

TEST(Printable, EscapesControlAndInvalidBytesKeepsUtf8) {
  EXPECT_EQ(printable("Close"), "Close");
  EXPECT_EQ(printable("Kurs \xE2\x82\xAC"), "Kurs \xE2\x82\xAC");  // € stays
  EXPECT_EQ(printable("\x1b[2JClose\a"), "\\x1B[2JClose\\x07");    // escape sequence, bell
  EXPECT_EQ(printable("a\tb\r\n"), "a\\x09b\\x0D\\x0A");
  EXPECT_EQ(printable("caf\xE9"), "caf\\xE9");              // Latin-1, not UTF-8
  EXPECT_EQ(printable("\xC0\xAF"), "\\xC0\\xAF");           // overlong '/'
  EXPECT_EQ(printable("\xED\xA0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_EQ(printable("\xF0\x9F\x98"), "\\xF0\\x9F\\x98");  // cut short
  EXPECT_EQ(printable(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("C:\\x"), "C:\\\\x");
}

}  // namespace
}  // namespace bnlstm
