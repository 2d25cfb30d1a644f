// libFuzzer entry point for csv_harness.hpp (built by `make fuzz`).
#include "csv_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bnlstm::fuzz::fuzz_csv(data, size);
  return 0;
}
