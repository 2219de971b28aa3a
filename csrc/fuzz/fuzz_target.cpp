// libFuzzer entry point over the same operations (needs clang):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I csrc
//       csrc/fuzz/fuzz_target.cpp -o fuzz_book
//   ./fuzz_book -max_total_time=600
#include <cstddef>
#include <cstdint>

#include "random_ops.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    engine::fuzz::run_bytes(data, size);
    return 0;
}
