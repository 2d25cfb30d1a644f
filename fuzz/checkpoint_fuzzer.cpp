// libFuzzer entry point for checkpoint_harness.hpp (built by `make fuzz`).
#include "checkpoint_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bnlstm::fuzz::fuzz_checkpoint(data, size);
  return 0;
}
