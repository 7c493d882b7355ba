/* cli.h — the sub-commands of maasim (each takes argv with argv[0] = its name and returns the
 * process exit code: 0 ok, 1 run failed / regression, 2 bad usage or input). */
#ifndef MAASIM_CLI_H
#define MAASIM_CLI_H

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_sweep(int argc, char **argv); /* cmd_sweep.c */

/* "0.1.0 (commit abc1234)" */
const char *cli_version(void);

#endif
