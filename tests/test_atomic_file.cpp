// AtomicFileSink and write_file() (io.hpp): a file is replaced whole or not at all, keeps its
// permission bits, and a path that is not a regular file is never replaced. The Makefile and
// CMakeLists.txt also build this file alone with STATICMLP_IO_USE_FILESYSTEM, so that the
// std::filesystem code io.hpp uses without POSIX runs the same tests.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <staticmlp/io.hpp>

#include "file_support.hpp"

namespace sm = staticmlp;

namespace {

using file_support::contains;
using file_support::read_file;

// A new scratch folder. Each build of this file has its own, so that both may run at once.
std::string scratch_folder(const std::string& name) {
  const char* build_prefix = STATICMLP_DETAIL_IO_FILESYSTEM ? "filesystem-" : "";
  return file_support::scratch_folder(build_prefix + name);
}

// Runs `body` with the file size limit lowered to `bytes` and SIGXFSZ ignored, so that a write
// past the limit fails with EFBIG, as on a full disk, instead of ending the process. The limit
// and the handler come back even when `body` throws (a failed REQUIRE).
template <class Body>
void with_file_size_limit(rlim_t bytes, Body&& body) {
  struct Restore {
    rlimit saved{};
    void (*handler)(int) = SIG_DFL;
    ~Restore() {
      setrlimit(RLIMIT_FSIZE, &saved);
      std::signal(SIGXFSZ, handler);
    }
  } restore;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &restore.saved) == 0);
  restore.handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit lowered = restore.saved;
  lowered.rlim_cur = bytes;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &lowered) == 0);
  body();
}

}  // namespace

TEST_CASE("file code matches the build macro") {
#if defined(STATICMLP_IO_USE_FILESYSTEM)
  CHECK(STATICMLP_DETAIL_IO_FILESYSTEM == 1);
#else
  CHECK(STATICMLP_DETAIL_IO_FILESYSTEM == 0);
#endif
}

TEST_CASE("failed write keeps the old file") {
  const std::string folder = scratch_folder("atomic");
  const std::string path = folder + "/fit.gp";
  { std::ofstream(path) << "old contents\n"; }
  const sm::Status status = sm::write_file(path.c_str(), [](auto& sink) {
    static_cast<void>(sink.write("partial", 7));
    return sm::make_status(sm::StatusCode::value_not_finite, 3, 0.0);
  });
  CHECK(status.code == sm::StatusCode::value_not_finite);
  CHECK(read_file(path) == "old contents\n");
  CHECK(!std::ifstream(path + ".tmp").good());
}

TEST_CASE("successful write replaces the file") {
  const std::string folder = scratch_folder("replace");
  const std::string path = folder + "/fit.gp";
  { std::ofstream(path) << "old contents\n"; }
  const sm::Status status = sm::write_file(path.c_str(), [](auto& sink) {
    return sink.write("new\n", 4) ? sm::ok_status()
                                  : sm::make_status(sm::StatusCode::output_failed);
  });
  CHECK(status.ok());
  CHECK(read_file(path) == "new\n");
  CHECK(!std::ifstream(path + ".tmp").good());
}

TEST_CASE("a replaced file keeps its permissions") {
  namespace fs = std::filesystem;
  const std::string folder = scratch_folder("permissions");
  const std::string path = folder + "/model.txt";
  for (const fs::perms mode : {fs::perms::owner_read | fs::perms::owner_write,
                               fs::perms::owner_all | fs::perms::group_read}) {
    { std::ofstream(path) << "old contents\n"; }
    fs::permissions(path, mode, fs::perm_options::replace);
    // The temporary file has the target's bits before anything is written into it.
    fs::perms while_written = fs::perms::unknown;
    const sm::Status status = sm::write_file(path.c_str(), [&](auto& sink) {
      while_written = fs::status(path + ".tmp").permissions();
      return sink.write("new\n", 4) ? sm::ok_status()
                                    : sm::make_status(sm::StatusCode::output_failed);
    });
    CHECK(while_written == mode);
    CHECK(status.ok());
    CHECK(read_file(path) == "new\n");
    CHECK(fs::status(path).permissions() == mode);
  }
}

TEST_CASE("missing folder is reported") {
  const sm::Status status =
      sm::write_file("build/no-such-folder/x/fit.gp", [](auto&) { return sm::ok_status(); });
  CHECK(status.code == sm::StatusCode::file_open_failed);
}

TEST_CASE("existing temporary names are left alone") {
  const std::string folder = scratch_folder("temporary");
  const std::string path = folder + "/fit.gp";
  { std::ofstream(path + ".tmp") << "someone else's file\n"; }
  REQUIRE(std::system(("ln -s " + folder + "/victim.txt " + path + ".tmp1").c_str()) == 0);
  { std::ofstream(folder + "/victim.txt") << "victim\n"; }
  const sm::Status status = sm::write_file(path.c_str(), [](auto& sink) {
    return sink.write("new\n", 4) ? sm::ok_status()
                                  : sm::make_status(sm::StatusCode::output_failed);
  });
  CHECK(status.ok());
  CHECK(read_file(path) == "new\n");
  CHECK(read_file(path + ".tmp") == "someone else's file\n");
  CHECK(read_file(folder + "/victim.txt") == "victim\n");
}

TEST_CASE("non-regular output paths are kept") {
  // A rename over a pipe, folder or symbolic link would replace it (as root, even /dev/null),
  // so each must be rejected before anything is written, and left as it was.
  const std::string folder = scratch_folder("special");
  const std::string pipe = folder + "/pipe.gp";
  const std::string subfolder = folder + "/folder.gp";
  const std::string link = folder + "/link.gp";
  REQUIRE(std::system(("mkfifo " + pipe + " && mkdir " + subfolder + " && ln -s " + folder +
                       "/target.txt " + link)
                          .c_str()) == 0);
  { std::ofstream(folder + "/target.txt") << "target\n"; }
  const auto write_new = [](auto& sink) {
    return sink.write("new\n", 4) ? sm::ok_status()
                                  : sm::make_status(sm::StatusCode::output_failed);
  };
  for (const std::string& path : {pipe, subfolder, link}) {
    INFO(path);
    const sm::Status status = sm::write_file(path.c_str(), write_new);
    CHECK(status.code == sm::StatusCode::output_not_regular_file);
    CHECK(!std::ifstream(path + ".tmp").good());
  }
  CHECK(std::system(("test -p " + pipe).c_str()) == 0);
  CHECK(std::system(("test -d " + subfolder).c_str()) == 0);
  CHECK(std::system(("test -L " + link).c_str()) == 0);
  CHECK(read_file(folder + "/target.txt") == "target\n");
  CHECK(contains(sm::describe(sm::make_status(sm::StatusCode::output_not_regular_file)).c_str(),
                 "regular file"));
}

TEST_CASE("ten taken temporary names get their own status") {
  const std::string folder = scratch_folder("all_taken");
  const std::string path = folder + "/fit.gp";
  { std::ofstream(path) << "old contents\n"; }
  for (const char* suffix :
       {".tmp", ".tmp1", ".tmp2", ".tmp3", ".tmp4", ".tmp5", ".tmp6", ".tmp7", ".tmp8", ".tmp9"}) {
    std::ofstream(path + suffix) << "stale\n";
  }
  const sm::Status status = sm::write_file(path.c_str(), [](auto& sink) {
    return sink.write("new\n", 4) ? sm::ok_status()
                                  : sm::make_status(sm::StatusCode::output_failed);
  });
  CHECK(status.code == sm::StatusCode::temporary_files_exist);
  CHECK(contains(sm::describe(status).c_str(), "PATH.tmp1 to PATH.tmp9"));
  CHECK(read_file(path) == "old contents\n");
  CHECK(read_file(path + ".tmp9") == "stale\n");
  // One freed name is enough again.
  REQUIRE(std::remove((path + ".tmp4").c_str()) == 0);
  CHECK(sm::write_file(path.c_str(), [](auto& sink) {
          return sink.write("new\n", 4) ? sm::ok_status()
                                        : sm::make_status(sm::StatusCode::output_failed);
        }).ok());
  CHECK(read_file(path) == "new\n");
}

TEST_CASE("overlong output name gets path_too_long") {
  // 253 bytes is a valid file name on Linux (limit 255), but NAME.tmp is 257 bytes.
  const std::string folder = scratch_folder("long_name");
  const std::string path = folder + "/" + std::string(250, 'a') + ".gp";
  const sm::Status status = sm::write_file(path.c_str(), [](auto&) { return sm::ok_status(); });
  CHECK(status.code == sm::StatusCode::path_too_long);
  CHECK(contains(sm::describe(status).c_str(), "too long"));
  // A path longer than the sink's buffer gets the same status without reaching the system.
  const std::string huge = folder + "/" + std::string(sm::AtomicFileSink::max_path, 'b');
  CHECK(sm::write_file(huge.c_str(), [](auto&) { return sm::ok_status(); }).code ==
        sm::StatusCode::path_too_long);
  // 250 bytes leaves room for ".tmp" and a digit.
  const std::string longest = folder + "/" + std::string(247, 'c') + ".gp";
  CHECK(sm::write_file(longest.c_str(), [](auto& sink) {
          return sink.write("x\n", 2) ? sm::ok_status()
                                      : sm::make_status(sm::StatusCode::output_failed);
        }).ok());
  CHECK(read_file(longest) == "x\n");
}

TEST_CASE("file size limit keeps the old file") {
  const std::string folder = scratch_folder("size_limit");
  const std::string path = folder + "/fit.gp";
  { std::ofstream(path) << "old contents\n"; }
  const std::string big(64 * 1024, 'x');

  const auto write_big = [&](auto& sink) {
    return sink.write(big.data(), big.size()) ? sm::ok_status()
                                              : sm::make_status(sm::StatusCode::output_failed);
  };
  sm::Status written;
  sm::Status flushed;
  sm::Status small_flushed;
  with_file_size_limit(4096, [&] {
    written = sm::write_file(path.c_str(), write_big);
    // flush() reports the failure before anything is renamed; a small file flushes fine.
    sm::AtomicFileSink sink(path.c_str());
    static_cast<void>(sink.write(big.data(), big.size()));
    flushed = sink.flush();
    sm::AtomicFileSink small((folder + "/small.gp").c_str());
    static_cast<void>(small.write("x\n", 2));
    small_flushed = small.flush();
  });

  // The writer reports output_failed when the sink refuses bytes; write_file names the cause.
  CHECK(written.code == sm::StatusCode::file_write_failed);
  CHECK(flushed.code == sm::StatusCode::file_write_failed);
  CHECK(small_flushed.ok());
  CHECK(read_file(path) == "old contents\n");
  CHECK(!std::ifstream(path + ".tmp").good());
  CHECK(!std::ifstream(path + ".tmp1").good());
  CHECK(!std::ifstream(folder + "/small.gp").good());
}

TEST_CASE("empty path is rejected") {
  CHECK(sm::write_file("", [](auto&) { return sm::ok_status(); }).code ==
        sm::StatusCode::file_open_failed);
}

TEST_CASE("commit after a failed write keeps the old file") {
  // A caller that ignores write()'s false must still get the failure from commit().
  const std::string folder = scratch_folder("commit_after_failure");
  const std::string path = folder + "/fit.gp";
  { std::ofstream(path) << "old contents\n"; }
  const std::string big(20000, 'x');
  sm::Status committed;
  bool stored = true;
  {
    sm::AtomicFileSink sink(path.c_str());
    with_file_size_limit(1000, [&] { stored = sink.write(big.data(), big.size()); });
    committed = sink.commit();
  }
  CHECK(!stored);
  CHECK(committed.code == sm::StatusCode::file_write_failed);
  CHECK(read_file(path) == "old contents\n");
}

TEST_CASE("a link made while writing is kept") {
  // The path is checked again just before the rename: a symbolic link that appeared while the
  // writer ran is not replaced, and its target keeps its contents.
  const std::string folder = scratch_folder("late_link");
  const std::string path = folder + "/model.txt";
  const std::string target = folder + "/other.txt";
  { std::ofstream(target) << "keep me\n"; }
  const sm::Status status = sm::write_file(path.c_str(), [&](auto& sink) {
    std::filesystem::create_symlink(target, path);
    return sink.write("new\n", 4) ? sm::ok_status()
                                  : sm::make_status(sm::StatusCode::output_failed);
  });
  CHECK(status.code == sm::StatusCode::output_not_regular_file);
  CHECK(std::filesystem::is_symlink(std::filesystem::symlink_status(path)));
  CHECK(read_file(target) == "keep me\n");
}
