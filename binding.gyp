{
  "targets": [
    {
      "target_name": "camctl_sendfile",
      "sources": ["src/native/sendfile.c"],
      "cflags_c": ["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror"],
      "libraries": ["-lpthread"]
    }
  ]
}
