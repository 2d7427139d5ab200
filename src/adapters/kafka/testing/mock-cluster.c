/*
 * A Kafka broker for tests: librdkafka's mock cluster, driven over stdin/stdout.
 *
 * No Kafka broker is packaged for our machines, but librdkafka (Debian: librdkafka-dev) ships a
 * mock cluster that speaks the real Kafka wire protocol, so KafkaJS producers and consumer groups
 * can talk to it as to a real cluster. The mock is a C API, so this tiny program wraps it and
 * kafka-mock-cluster.ts compiles and spawns it.
 *
 * Usage:   mock-cluster [--brokers N] [--topic name:partitions]...
 * Stdout:  exactly one line `BOOTSTRAP host:port,...`, then one `OK` or `ERR <reason>` line per
 *          command. Nothing else is ever written to stdout, so the parent can parse it blindly;
 *          librdkafka's own log lines go to stderr.
 * Stdin:   `down <brokerId>`, `up <brokerId>`, `topic <name> <partitions>`, `quit`.
 * Exit:    on `quit`, on stdin EOF or on SIGINT/SIGTERM. EOF matters most: the parent holds our
 *          stdin, so if the test process dies for any reason the pipe closes and we go too,
 *          instead of leaving orphan listeners on the machine.
 *
 * Build:   gcc -O2 -o mock-cluster mock-cluster.c -lrdkafka
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define DEFAULT_BROKERS 3
#define MAX_BROKERS 32
/* Kafka's own limits for topic names; checked here so a bad name gets a sentence, not a crash. */
#define MAX_TOPIC_NAME 249
#define MAX_PARTITIONS 10000

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

/* Parses a whole decimal int in [min, max]; trailing garbage ("3x") is an error, not a 3. */
static int parse_int(const char *text, int min, int max, int *out) {
        char *end = NULL;
        long value;

        if (text == NULL || *text == '\0')
                return -1;
        errno = 0;
        value = strtol(text, &end, 10);
        if (errno != 0 || *end != '\0' || value < min || value > max)
                return -1;
        *out = (int)value;
        return 0;
}

static int valid_topic_name(const char *name) {
        size_t len = strlen(name);

        if (len == 0 || len > MAX_TOPIC_NAME || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0)
                return 0;
        for (const char *p = name; *p; p++) {
                char c = *p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
                        return 0;
        }
        return 1;
}

/* Replies go through here so every answer is one flushed line: the parent waits on it. */
static int reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int reply(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        return fflush(stdout) == 0 ? 0 : -1;
}

static int broker_count = DEFAULT_BROKERS;

/* Three replicas like production, but never more than there are brokers. */
static int replication_factor(void) {
        return broker_count < 3 ? broker_count : 3;
}

static int create_topic(rd_kafka_mock_cluster_t *mcluster, const char *name, int partitions,
                        char *reason, size_t reason_size) {
        rd_kafka_resp_err_t err;

        if (!valid_topic_name(name)) {
                snprintf(reason, reason_size,
                         "invalid topic name '%s': use 1-%d chars of [A-Za-z0-9._-]", name,
                         MAX_TOPIC_NAME);
                return -1;
        }
        err = rd_kafka_mock_topic_create(mcluster, name, partitions, replication_factor());
        if (err) {
                snprintf(reason, reason_size, "cannot create topic '%s': %s", name,
                         rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

static void handle_command(rd_kafka_mock_cluster_t *mcluster, char *line, int *quit) {
        char *save = NULL;
        char *cmd = strtok_r(line, " \t", &save);
        char *arg1 = cmd ? strtok_r(NULL, " \t", &save) : NULL;
        char *arg2 = arg1 ? strtok_r(NULL, " \t", &save) : NULL;
        char *extra = arg2 ? strtok_r(NULL, " \t", &save) : NULL;
        char reason[512];
        int id, partitions;

        if (cmd == NULL) {
                reply("ERR empty command");
                return;
        }

        if (strcmp(cmd, "quit") == 0) {
                *quit = 1;
                reply("OK");
                return;
        }

        if (strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0) {
                rd_kafka_resp_err_t err;

                if (arg2 != NULL) {
                        reply("ERR usage: %s <brokerId>", cmd);
                        return;
                }
                /* The mock numbers brokers 1..N; checking here gives a clearer reason than
                 * librdkafka's "Unknown broker" and keeps -1 ("all brokers") out of reach. */
                if (parse_int(arg1, 1, broker_count, &id) != 0) {
                        reply("ERR broker id must be an integer from 1 to %d", broker_count);
                        return;
                }
                /* Neither call moves partition leaders: a down broker's partitions are simply
                 * unreachable until it is up again, which is what clients must retry through. */
                err = strcmp(cmd, "down") == 0 ? rd_kafka_mock_broker_set_down(mcluster, id)
                                               : rd_kafka_mock_broker_set_up(mcluster, id);
                if (err)
                        reply("ERR %s", rd_kafka_err2str(err));
                else
                        reply("OK");
                return;
        }

        if (strcmp(cmd, "topic") == 0) {
                if (arg1 == NULL || arg2 == NULL || extra != NULL) {
                        reply("ERR usage: topic <name> <partitions>");
                        return;
                }
                if (parse_int(arg2, 1, MAX_PARTITIONS, &partitions) != 0) {
                        reply("ERR partitions must be an integer from 1 to %d", MAX_PARTITIONS);
                        return;
                }
                if (create_topic(mcluster, arg1, partitions, reason, sizeof(reason)) != 0)
                        reply("ERR %s", reason);
                else
                        reply("OK");
                return;
        }

        reply("ERR unknown command '%s' (expected down, up, topic or quit)", cmd);
}

static void usage_error(const char *message) {
        fprintf(stderr,
                "mock-cluster: %s\nusage: mock-cluster [--brokers N] "
                "[--topic name:partitions]...\n",
                message);
        exit(2);
}

int main(int argc, char **argv) {
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mcluster;
        struct sigaction sa;
        char errstr[512];
        char reason[512];
        char *line = NULL;
        size_t line_cap = 0;
        int quit = 0;
        int status = 0;

        /* First pass: validate every argument before any socket is opened. */
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--brokers") == 0) {
                        if (i + 1 >= argc ||
                            parse_int(argv[++i], 1, MAX_BROKERS, &broker_count) != 0)
                                usage_error("--brokers needs an integer from 1 to 32");
                } else if (strcmp(argv[i], "--topic") == 0) {
                        const char *colon;
                        int partitions;
                        if (i + 1 >= argc)
                                usage_error("--topic needs name:partitions");
                        colon = strrchr(argv[++i], ':');
                        if (colon == NULL ||
                            parse_int(colon + 1, 1, MAX_PARTITIONS, &partitions) != 0)
                                usage_error("--topic needs name:partitions, partitions >= 1");
                } else {
                        usage_error("unknown argument");
                }
        }

        /* A write to a parent that has gone must fail with EPIPE (and end the loop below), not
         * kill us before the cluster is torn down. SIGINT/SIGTERM are installed without
         * SA_RESTART so a blocked read of stdin returns and we still shut down in order. */
        signal(SIGPIPE, SIG_IGN);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        /* The mock cluster hangs off an ordinary client handle (librdkafka keeps its threads and
         * bookkeeping there); the handle itself never connects anywhere. Only errors are logged:
         * warnings such as "no bootstrap.servers" are expected here and would only be noise. */
        conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
                fprintf(stderr, "mock-cluster: %s\n", errstr);
                return 1;
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (rk == NULL) {
                fprintf(stderr, "mock-cluster: cannot create client handle: %s\n", errstr);
                return 1;
        }

        mcluster = rd_kafka_mock_cluster_new(rk, broker_count);
        if (mcluster == NULL) {
                fprintf(stderr, "mock-cluster: cannot start the mock cluster\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        /* Topics exist before BOOTSTRAP is printed, so a client that connects as soon as it has
         * the address never races their creation (the mock has no CreateTopics admin API). */
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--topic") == 0) {
                        /* A copy of the name, not a NUL poked into argv: `ps` keeps showing the
                         * arguments as given, which helps when hunting a stray process. */
                        const char *spec = argv[++i];
                        const char *colon = strrchr(spec, ':');
                        char name[MAX_TOPIC_NAME + 2];
                        snprintf(name, sizeof(name), "%.*s", (int)(colon - spec), spec);
                        if (create_topic(mcluster, name, atoi(colon + 1), reason,
                                         sizeof(reason)) != 0) {
                                fprintf(stderr, "mock-cluster: %s\n", reason);
                                status = 1;
                                goto shutdown;
                        }
                } else if (strcmp(argv[i], "--brokers") == 0) {
                        i++;
                }
        }

        if (reply("BOOTSTRAP %s", rd_kafka_mock_cluster_bootstraps(mcluster)) != 0)
                goto shutdown;

        while (!quit && !stop_requested) {
                ssize_t len = getline(&line, &line_cap, stdin);
                if (len < 0)
                        break; /* EOF (parent gone) or a signal: shut down either way. */
                while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = '\0';
                handle_command(mcluster, line, &quit);
                if (ferror(stdout))
                        break;
        }

shutdown:
        free(line);
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return status;
}
