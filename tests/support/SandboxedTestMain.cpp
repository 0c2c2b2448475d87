// GoogleTest main that runs the tests inside a TestSandbox (a temporary folder of their own,
// with the user's settings and logs redirected into it).
#include <gtest/gtest.h>

#include "TestSandbox.hpp"

int main(int argc, char** argv) {
  meridian::test::TestSandbox sandbox;
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
