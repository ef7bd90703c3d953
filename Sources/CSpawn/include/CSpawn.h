#ifndef CSPAWN_H
#define CSPAWN_H

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Debian 12 has 2.36): the
/// child closes every descriptor from `from` up before it runs the program. Swift's Glibc module
/// does not declare it, and looking it up with `dlsym` finds nothing in a statically linked
/// `support` (the release build), where the mail program then inherited the process's sockets
/// (MailProgramDescriptorTests). `actions` is a `posix_spawn_file_actions_t *`. Returns 0 or an
/// error number.
int cspawn_add_close_from(void *actions, int from);

#endif
