#include <fcntl.h>
#include <unistd.h>

#include <csignal>

#include "drivers/cli/cli.hpp"

int main(int argc, char** argv) {
    // A child (restic, gpg) that dies must give EPIPE on our write, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    // Descriptors 0-2 must be taken, so that no pipe of ours lands on them (CI has no stdin).
    for (int fd = 0; fd < 3; ++fd) {
        if (::fcntl(fd, F_GETFD) < 0) {
            ::open("/dev/null", O_RDWR);
        }
    }
    return bk::drivers::cli::run(argc, argv);
}
