#pragma once
// error_of(f): the message of the bnlstm::Error that f throws, for EXPECT_EQ / EXPECT_THAT on
// the exact one-line message. A missing error is a test failure, and returns "(no error)".
#include <gtest/gtest.h>

#include <string>

#include "bnlstm/core/error.hpp"

namespace bnlstm::testing {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no bnlstm::Error thrown";
  return "(no error)";
}

}  // namespace bnlstm::testing
