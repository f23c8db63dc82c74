/* kfc.h - the kfc subcommands (front ends over the library). */
#ifndef KF_KFC_H
#define KF_KFC_H

enum { KF_EXIT_OK = 0, KF_EXIT_PROBLEMS = 1, KF_EXIT_USAGE = 2 };

int kf_cmd_fmt(int argc, char **argv);
/* prog names the command in messages: "kflint" or "kfc lint" */
int kf_cmd_lint(int argc, char **argv, const char *prog);
int kf_cmd_imagelist(int argc, char **argv);

#include <stdbool.h>

int kf_cmd_build(int argc, char **argv, bool plan_only);
int kf_cmd_images(int argc, char **argv);
int kf_cmd_inspect(int argc, char **argv);
int kf_cmd_rmi(int argc, char **argv);
int kf_cmd_fsck(int argc, char **argv);

#endif
