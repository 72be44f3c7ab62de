/* cli_signals.h: how a long-running hpolab command meets the signals that
 * end it. */
#ifndef HPOLAB_TOOLS_CLI_SIGNALS_H
#define HPOLAB_TOOLS_CLI_SIGNALS_H

/* handler gets SIGINT, SIGTERM and SIGHUP (a closed terminal ends the
 * command like Ctrl-C, never half-way); SIGPIPE is ignored (a reader that
 * went away, "| head", must not kill it: output errors are ignored). */
void cli_install_stop_signals(void (*handler)(int));

#endif
