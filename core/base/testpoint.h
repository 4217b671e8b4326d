/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named points where a test can hold ktvm, to deliver a signal at a known
 * moment (during setup, while the vCPUs are frozen, in the middle of a
 * dump). With KTVM_TEST_PAUSE=NAME in the environment, testpoint(NAME)
 * prints "ktvm: test: paused at NAME" on stderr and waits until
 * testpoint_release() (the first signal ktvm receives calls it), at most
 * TESTPOINT_MAX_MS; every later testpoint() returns at once. With
 * KTVM_TEST_PAUSE=NAME:hold it waits TESTPOINT_MAX_MS whatever comes (to
 * test what a second signal does). Without the variable it costs one
 * getenv().
 */
#ifndef KTVM_CORE_TESTPOINT_H
#define KTVM_CORE_TESTPOINT_H

#define TESTPOINT_MAX_MS 60000

void testpoint(const char *name);
void testpoint_release(void);

#endif
