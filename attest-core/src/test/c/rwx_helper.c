/* Test helper for MemoryProtectionCollectorIT: maps one anonymous RWX page and one anonymous
 * R-X page, prints their addresses, then waits to be measured. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
    unsigned char *rwx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *rx = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rwx == MAP_FAILED || rx == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    rwx[0] = 0xc3; /* ret */
    memset(rx, 0xc3, 8192);
    if (mprotect(rx, 8192, PROT_READ | PROT_EXEC) != 0) {
        perror("mprotect");
        return 1;
    }
    printf("%lx %lx\n", (unsigned long) rwx, (unsigned long) rx);
    fflush(stdout);
    sleep(600);
    return 0;
}
