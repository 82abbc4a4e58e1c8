#include "drivers/cli/cli.hpp"

int main(int argc, char** argv) {
    return bk::drivers::cli::run(argc, argv);
}
