/* trivial.c: the cheapest possible training script: three reports, exit.
 * With "--sleep S" among its arguments it sleeps S seconds before each
 * report (the load benchmark's short sleeping trials). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int main(int argc, char **argv)
{
    double sleep_s = 0.0;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--sleep") == 0)
            sleep_s = atof(argv[i + 1]);
    struct timeval tv;
    for (int e = 1; e <= 3; e++) {
        if (sleep_s > 0) {
            struct timespec ts = {(time_t)sleep_s,
                                  (long)((sleep_s - (double)(time_t)sleep_s) * 1e9)};
            nanosleep(&ts, NULL);
        }
        gettimeofday(&tv, NULL);
        printf("[tune-metric]: {\"epoch\": %d, \"loss\": %g, "
               "\"st_worker_timestamp\": %ld.%06ld, \"st_worker_time\": 0.0, "
               "\"st_worker_iter\": %d}\n",
               e, 1.0 / e, (long)tv.tv_sec, (long)tv.tv_usec, e - 1);
        fflush(stdout);
    }
    return 0;
}
