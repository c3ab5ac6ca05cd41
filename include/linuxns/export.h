// linuxns/export.h: which symbols the shared library exports.
//
// The library is compiled with hidden visibility (-fvisibility=hidden,
// -fvisibility-inlines-hidden), so only what a public header marks with
// LINUXNS_EXPORT is visible to a program that links liblinuxns.so. Mark
// classes (`class LINUXNS_EXPORT NsFd`) and free functions declared in the
// public headers; never mark anything in lib/internal/ or lib/child/.
//
// The static library ignores the mark in effect: its objects link into the
// consumer, where visibility only matters if the consumer is itself a shared
// object. No define is needed on either side.
#ifndef LINUXNS_EXPORT_H_
#define LINUXNS_EXPORT_H_

// LINUXNS_EXPORT
//
// Gives a class or function default visibility, so that liblinuxns.so exports
// it although the library is compiled with -fvisibility=hidden.
#define LINUXNS_EXPORT __attribute__((visibility("default")))

#endif  // LINUXNS_EXPORT_H_
