# Enumerating namespaces: linuxns/ns_list.h.
target_sources(linuxns PRIVATE ${CMAKE_CURRENT_LIST_DIR}/ns_list.cc)
target_link_libraries(linuxns PRIVATE absl::flat_hash_map)
