// The only engine header that touches files. AtomicFileSink writes to a new PATH.tmp (or
// PATH.tmp1 to PATH.tmp9) and renames it over PATH on commit(), so a crash or an error never
// leaves a half-written file and the old file stays until the new one is complete. The new file
// takes the old one's permission bits. PATH must be absent or a regular file, because the
// rename would replace a device, pipe or symbolic link.
// StreamSink writes to a std::ostream.
// write_file(path, writer) runs writer(sink) and commits only when it returns an ok Status.
// FileSource and StreamSource are character sources (format.hpp) for a FILE* and a
// std::istream; read_file(path, reader) opens a file and runs reader(source).
//
// File types and permission bits come from POSIX stat(), lstat() and chmod(). The stream classes
// are only declared (<iosfwd>), and their members are templates, so they compile where the caller
// uses them, with <ostream> or <istream> in scope. With g++ 12 that cut the compile time of
// src/bench/compile_probe.cpp from 1.9-2.3 s to 1.6-1.7 s (docs/performance.md). Without
// <sys/stat.h>, on Windows, or with STATICMLP_IO_USE_FILESYSTEM defined, std::filesystem does
// the same work.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <iosfwd>

#if defined(STATICMLP_IO_USE_FILESYSTEM) || defined(_WIN32) || !__has_include(<sys/stat.h>)
#define STATICMLP_DETAIL_IO_FILESYSTEM 1
#include <filesystem>
#include <system_error>
#else
#define STATICMLP_DETAIL_IO_FILESYSTEM 0
#include <sys/stat.h>
#endif

#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

class AtomicFileSink {
 public:
  static constexpr std::size_t max_path = 4096;

  // Creates PATH.tmp, or PATH.tmp1 to PATH.tmp9 when that exists. The "x" mode (C11, glibc)
  // creates the file exclusively: an existing file or symbolic link of that name is never
  // opened, so it is neither overwritten nor removed.
  explicit AtomicFileSink(const char* path) {
    const std::size_t length = text_length(path);
    constexpr char suffix[] = ".tmp";
    if (length == 0) {
      return;
    }
    if (length + sizeof(suffix) + 1 > max_path) {
      open_failure_ = StatusCode::path_too_long;
      return;
    }
    if (!absent_or_regular(path)) {
      not_regular_ = true;
      return;
    }
    for (std::size_t i = 0; i < length; ++i) {
      path_[i] = path[i];
      temporary_path_[i] = path[i];
    }
    for (std::size_t i = 0; i < sizeof(suffix); ++i) {
      temporary_path_[length + i] = suffix[i];
    }
    const std::size_t digit = length + sizeof(suffix) - 1;
    for (char attempt = '0'; attempt <= '9' && file_ == nullptr; ++attempt) {
      if (attempt != '0') {
        temporary_path_[digit] = attempt;
        temporary_path_[digit + 1] = '\0';
      }
      errno = 0;
      file_ = std::fopen(temporary_path_, "wbx");
      // Only a name that is taken is worth another try. POSIX sets errno here, ISO C need not.
      if (file_ == nullptr && errno != EEXIST) {
        break;
      }
    }
    if (file_ == nullptr) {
      open_failure_ = errno == ENAMETOOLONG ? StatusCode::path_too_long
                      : errno == EEXIST     ? StatusCode::temporary_files_exist
                                            : StatusCode::file_open_failed;
      return;
    }
    // A replaced file keeps its permission bits, from before the first byte is written, so
    // that a private model is never readable by others, not even while it is written.
    if (!copy_permissions(path_, temporary_path_)) {
      discard();  // open_status() then reports file_open_failed
    }
  }

  AtomicFileSink(const AtomicFileSink&) = delete;
  AtomicFileSink& operator=(const AtomicFileSink&) = delete;

  // Removes the temporary file unless commit() succeeded.
  ~AtomicFileSink() { discard(); }

  // Ok when the temporary file could be created.
  Status open_status() const {
    if (not_regular_) {
      return make_status(StatusCode::output_not_regular_file);
    }
    return file_ != nullptr ? ok_status() : make_status(open_failure_);
  }

  bool write(const char* data, std::size_t size) {
    if (file_ == nullptr || failed_) {
      return false;
    }
    failed_ = std::fwrite(data, 1, size, file_) != size;
    return !failed_;
  }

  // True once a write to the file failed (a full disk or a file size limit, say).
  bool write_failed() const { return failed_; }

  // Hands the buffered bytes to the system, so that a full disk or a file size limit shows
  // before commit(). A caller that writes several files can flush each before committing any.
  Status flush() {
    if (file_ == nullptr) {
      return make_status(StatusCode::file_open_failed);
    }
    failed_ = failed_ || std::fflush(file_) != 0;
    return failed_ ? make_status(StatusCode::file_write_failed) : ok_status();
  }

  // Flushes and closes the temporary file and renames it over the target.
  Status commit() {
    if (file_ == nullptr) {
      return make_status(StatusCode::file_open_failed);
    }
    const bool flushed = !failed_ && std::fflush(file_) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed || !closed) {
      std::remove(temporary_path_);
      return make_status(StatusCode::file_write_failed);
    }
    // Checked again, because something may have appeared at the path while the file was written.
    if (!absent_or_regular(path_)) {
      std::remove(temporary_path_);
      return make_status(StatusCode::output_not_regular_file);
    }
    if (std::rename(temporary_path_, path_) != 0) {
      std::remove(temporary_path_);
      return make_status(StatusCode::file_rename_failed);
    }
    committed_ = true;
    return ok_status();
  }

  // Closes and deletes the temporary file; the target is untouched.
  void discard() {
    if (file_ != nullptr) {
      std::fclose(file_);
      file_ = nullptr;
      std::remove(temporary_path_);
    }
  }

  const char* path() const { return path_; }

 private:
  // False when `path` is a folder, device, pipe, socket or symbolic link (not followed). When
  // the type cannot be read (a folder on the way is missing or unreadable), creating the
  // temporary file fails instead, with its own status.
  static bool absent_or_regular(const char* path) {
#if STATICMLP_DETAIL_IO_FILESYSTEM
    std::error_code error;
    const std::filesystem::file_type type = std::filesystem::symlink_status(path, error).type();
    return type == std::filesystem::file_type::not_found ||
           type == std::filesystem::file_type::regular || type == std::filesystem::file_type::none;
#else
    struct stat status;
    return ::lstat(path, &status) != 0 || S_ISREG(status.st_mode);
#endif
  }

  // Gives `copy` the permission bits of `original` if that is a regular file. Returns false only
  // when changing the bits failed. NOTE: Linux clears the set-user-ID and set-group-ID bits when
  // a process without privilege writes the file, so such a writer's new file loses them.
  static bool copy_permissions(const char* original, const char* copy) {
#if STATICMLP_DETAIL_IO_FILESYSTEM
    std::error_code error;
    const std::filesystem::file_status old_file = std::filesystem::status(original, error);
    if (!error && old_file.type() == std::filesystem::file_type::regular) {
      std::filesystem::permissions(copy, old_file.permissions(),
                                   std::filesystem::perm_options::replace, error);
      return !error;
    }
    return true;
#else
    struct stat old_file;
    if (::stat(original, &old_file) == 0 && S_ISREG(old_file.st_mode)) {
      return ::chmod(copy, old_file.st_mode & 07777) == 0;
    }
    return true;
#endif
  }

  char path_[max_path] = {};
  char temporary_path_[max_path] = {};
  std::FILE* file_ = nullptr;
  bool failed_ = false;
  bool committed_ = false;
  bool not_regular_ = false;
  StatusCode open_failure_ = StatusCode::file_open_failed;
};

// The members that use the stream are templates, so that they compile where they are called,
// after the caller's <ostream>. Their parameter always keeps its default.
class StreamSink {
 public:
  explicit StreamSink(std::ostream& stream) : stream_(stream) {}
  template <class Stream = std::ostream>
  bool write(const char* data, std::size_t size) {
    Stream& stream = stream_;
    // std::streamsize, which <ios> declares and <iosfwd> need not (libc++'s does not).
    using Size = decltype(stream.width());
    stream.write(data, static_cast<Size>(size));
    return static_cast<bool>(stream);
  }

 private:
  std::ostream& stream_;
};

// Writes a file all or nothing: `writer(sink)` returns a Status, and the file at `path` is
// replaced only when that status and the final rename are ok.
template <class Writer>
Status write_file(const char* path, Writer&& writer) {
  AtomicFileSink sink(path);
  Status status = sink.open_status();
  if (!status.ok()) {
    return status;
  }
  status = writer(sink);
  if (!status.ok()) {
    sink.discard();
    // A writer reports only that the sink stopped storing text (output_failed). The sink
    // records whether the file rejected a write, which names the cause.
    const bool file_refused = status.code == StatusCode::output_failed && sink.write_failed();
    return file_refused ? make_status(StatusCode::file_write_failed) : status;
  }
  return sink.commit();
}

// Reads from an open FILE*, which it does not close.
class FileSource {
 public:
  explicit FileSource(std::FILE* file) : file_(file) {}
  std::size_t read(char* data, std::size_t size) { return std::fread(data, 1, size, file_); }
  bool failed() const { return std::ferror(file_) != 0; }

 private:
  std::FILE* file_;
};

class StreamSource {
 public:
  explicit StreamSource(std::istream& stream) : stream_(stream) {}
  template <class Stream = std::istream>
  std::size_t read(char* data, std::size_t size) {
    Stream& stream = stream_;
    using Size = decltype(stream.width());  // std::streamsize, as in StreamSink
    stream.read(data, static_cast<Size>(size));
    return static_cast<std::size_t>(stream.gcount());
  }
  template <class Stream = std::istream>
  bool failed() const {
    const Stream& stream = stream_;
    return stream.bad();
  }

 private:
  std::istream& stream_;
};

// Opens `path` for reading and returns `reader(source)`, a Status, for a FileSource on it;
// file_not_readable when the file cannot be opened.
template <class Reader>
Status read_file(const char* path, Reader&& reader) {
  std::FILE* file = std::fopen(path, "rb");
  if (file == nullptr) {
    return make_status(StatusCode::file_not_readable);
  }
  FileSource source(file);
  const Status status = reader(source);
  std::fclose(file);
  return status;
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
