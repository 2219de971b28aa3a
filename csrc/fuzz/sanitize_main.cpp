// Random operations under AddressSanitizer and UndefinedBehaviorSanitizer.
// Build and run (tests/test_cpp_sanitizers.py does this), from the project folder:
//   g++ -std=c++20 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all
//       -I csrc csrc/fuzz/sanitize_main.cpp -o sanitize
//   ./sanitize SEED PROGRAMS BYTES      random programs from a seed
//   ./sanitize --replay FILE...         saved inputs (the fuzzer's corpus and findings)
//   ./sanitize --digest SEED PROGRAMS BYTES   as the first form, and print a digest of every event
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "random_ops.hpp"

static int replay_files(int argc, char** argv) {
    std::size_t ops = 0;
    for (int i = 2; i < argc; ++i) {
        std::FILE* f = std::fopen(argv[i], "rb");
        if (!f) { std::fprintf(stderr, "cannot open %s\n", argv[i]); return 2; }
        std::vector<std::uint8_t> buf;
        for (int c; (c = std::fgetc(f)) != EOF;) buf.push_back(static_cast<std::uint8_t>(c));
        std::fclose(f);
        ops += engine::fuzz::run_bytes(buf.data(), buf.size());
    }
    std::printf("%zu operations in %d files, integrity held\n", ops, argc - 2);
    return 0;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--replay") return replay_files(argc, argv);  // saved inputs
    const bool digest = argc > 1 && std::string(argv[1]) == "--digest";  // print a digest of every event
    if (digest) {
        --argc;
        ++argv;
    }
    std::uint64_t h = 0xCBF29CE484222325ull;
    std::uint64_t state = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1;
    const long programs = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 200;
    const long bytes = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 4000;
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(bytes));
    std::size_t ops = 0;
    for (long p = 0; p < programs; ++p) {
        for (auto& b : buf) {  // splitmix64
            state += 0x9E3779B97F4A7C15ull;
            std::uint64_t z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            b = static_cast<std::uint8_t>(z ^ (z >> 31));
        }
        ops += engine::fuzz::run_bytes(buf.data(), buf.size(), digest ? &h : nullptr);
    }
    std::printf("%zu operations in %ld programs, integrity held\n", ops, programs);
    if (digest) std::printf("event digest %016llx\n", static_cast<unsigned long long>(h));
    return 0;
}
