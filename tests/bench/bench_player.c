/* bench_player: how fast the player starts, how much memory it takes, and
 * how long a full-HD text-heavy page takes to redraw with the software
 * renderer (the kiosk case: no GPU).
 *
 * The player runs as a child process (SDL offscreen driver, software
 * renderer), exactly as a kiosk starts it, so the figures include loading
 * the libraries, fonts, catalogs and the sample courses:
 * 1. start to first interactive frame: from fork to the "first_frame" line
 *    the player prints when DH_BENCH_FIRST_FRAME=1 (median of RUNS runs
 *    on an existing data directory, as on a kiosk's every start), and to
 *    the complete sign-in screen ("settled", DH_BENCH_FIRST_FRAME=settled:
 *    the language row follows the first frame);
 * 2. peak RSS of the whole process (wait4's ru_maxrss) for those runs and
 *    for the page run;
 * 3. per-frame time: a script signs in and opens the first lesson at
 *    1920x1080, then DH_BENCH_FRAMES redraws it and prints the median.
 * Figures only, no limits. Usage: bench_player [DRILLHALL] [RUNS].
 */
#define _DEFAULT_SOURCE /* wait4 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Run the player with args; returns ms until a stdout line starting with
 * `mark` (or -1), copies that line into line, and the peak RSS in kB. */
static double run(char *const argv[], const char *mark, char *line, size_t size, long *rss_kb)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    double t0 = now_ms(), t = -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    char buf[512];
    line[0] = '\0';
    while (f && fgets(buf, sizeof buf, f)) {
        if (t < 0 && strncmp(buf, mark, strlen(mark)) == 0) {
            t = now_ms() - t0;
            snprintf(line, size, "%s", buf);
        }
    }
    if (f)
        fclose(f);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    *rss_kb = ru.ru_maxrss;
    return t;
}

int main(int argc, char **argv)
{
    const char *exe = argc > 1 ? argv[1] : DH_PLAYER_PATH;
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    if (runs < 1 || runs > 100)
        runs = 7;
    char dir[] = "/tmp/bench_player.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("bench_player: mkdtemp");
        return 1;
    }
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
    char line[512];
    long rss, rss_max = 0;
    double *t = calloc((size_t)runs, sizeof *t);
    if (!t)
        return 1;
    setenv("DH_BENCH_FIRST_FRAME", "1", 1);
    char *args[] = {(char *)exe, "--data", dir, "--window", "1280x800", NULL};
    run(args, "first_frame", line, sizeof line, &rss); /* first run creates the data directory */
    for (int i = 0; i < runs; i++) {
        t[i] = run(args, "first_frame", line, sizeof line, &rss);
        rss_max = rss > rss_max ? rss : rss_max;
        if (t[i] < 0) {
            fprintf(stderr, "bench_player: %s printed no first frame\n", exe);
            return 1;
        }
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    printf("start to first interactive frame: median %.1f ms, min %.1f, max %.1f (%d runs)\n",
           t[runs / 2], t[0], t[runs - 1], runs);
    printf("peak RSS at first frame: %.1f MB\n", rss_max / 1024.0);
    /* The sign-in screen draws its language row (nine scripts' fonts) in the
     * frame after the first: time until the screen is complete too. */
    setenv("DH_BENCH_FIRST_FRAME", "settled", 1);
    for (int i = 0; i < runs; i++) {
        t[i] = run(args, "settled", line, sizeof line, &rss);
        if (t[i] < 0) {
            fprintf(stderr, "bench_player: %s never settled\n", exe);
            return 1;
        }
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    printf("start to complete sign-in screen (language row drawn): median %.1f ms, min %.1f, max %.1f\n",
           t[runs / 2], t[0], t[runs - 1]);
    unsetenv("DH_BENCH_FIRST_FRAME");

    char script[sizeof dir + 32];
    snprintf(script, sizeof script, "%s/page.script", dir);
    FILE *f = fopen(script, "w");
    if (!f)
        return 1;
    fputs("type BENCH-1\nkey Return\ntype Bench Trainee\nclick \"Japan\"\nkey PageDown\n"
          "click \"Start training\"\nclick \"Cyber security awareness essentials\"\n"
          "click \"Spotting phishing\"\nquit\n", f);
    fclose(f);
    setenv("DH_BENCH_FRAMES", "120", 1);
    char *pargs[] = {(char *)exe, "--data", dir, "--window", "1920x1080", "--script", script, NULL};
    double tp = run(pargs, "frame_ms", line, sizeof line, &rss);
    if (tp < 0)
        fprintf(stderr, "bench_player: the page run printed no frame times (script failed?)\n");
    else
        printf("full-HD text-heavy page, software renderer: %s", line);
    printf("peak RSS after reading a page: %.1f MB\n", rss / 1024.0);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_player: could not remove %s\n", dir);
    free(t);
    return 0;
}
