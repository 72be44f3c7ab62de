/* trivial.c: the cheapest possible training script: three reports, exit. */
#include <stdio.h>
#include <sys/time.h>

int main(void)
{
    struct timeval tv;
    for (int e = 1; e <= 3; e++) {
        gettimeofday(&tv, NULL);
        printf("[tune-metric]: {\"epoch\": %d, \"loss\": %g, "
               "\"st_worker_timestamp\": %ld.%06ld, \"st_worker_time\": 0.0, "
               "\"st_worker_iter\": %d}\n",
               e, 1.0 / e, (long)tv.tv_sec, (long)tv.tv_usec, e - 1);
    }
    return 0;
}
