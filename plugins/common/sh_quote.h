/* sh_quote.h: a value quoted for a POSIX shell. Used only for Slurm batch
 * scripts (Slurm starts a batch job through the shell; hpolab never does),
 * by the core's launch engine and by the Slurm backend. */
#ifndef HPOLAB_PLUGIN_SH_QUOTE_H
#define HPOLAB_PLUGIN_SH_QUOTE_H

/* 'text', with every ' written as '\''; NULL when out of memory.
 * [owned: free] */
char *hpolab_sh_quote(const char *text);

#endif
