# Tests of linuxns/ns_list.h.
linuxns_add_test(ns_list_test)
