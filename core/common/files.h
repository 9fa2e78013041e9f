// Whole small files (configs, manifests) as text, and durable writes.
//
//   std::string text = atelier::read_text_file(dir + "/config.json");  // throws atelier::Error
//   atelier::write_text_file(dir + "/config.json", text);               // atomic and durable
//
// "Durable" means a crash or power cut right after the call leaves either the old file or the
// whole new one: the bytes are written with write(2) and checked, fsync'd, the descriptor's close
// is checked (a full disk may only show there), the temporary is renamed over the target, and the
// folder is fsync'd so the rename itself survives. On macOS the syncs are F_FULLFSYNC (fsync there
// leaves the data in the drive's cache); on Windows the file is flushed with _commit, the rename is
// MoveFileExW with MOVEFILE_WRITE_THROUGH, and folders are not synced (they cannot be opened so).
//
// Paths are UTF-8 std::strings everywhere; path_from_utf8() turns one into a std::filesystem::path
// (on Windows std::filesystem::path(std::string) would read it in the ANSI code page instead).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace atelier {

// FileNotFound when `path` does not exist, Io when it cannot be read; `where` is the path.
std::string read_text_file(const std::string& path);
// Writes `path.tmp` durably, then renames it over `path`. Io naming the file when it cannot be
// written (the temporary is removed and `path` is left as it was) or moved into place.
void write_text_file(const std::string& path, const std::string& text);
// fsync(2) of a file or a folder (a folder: so renames and creations in it survive a crash).
// Io naming the path on failure.
void sync_path(const std::string& path);
// sync_path of the folder holding `path` (after a rename into it).
void sync_parent(const std::string& path);
// write(2) of all `size` bytes to `fd` (EINTR retried, 1 GiB at a time); Io naming `where` on failure.
void write_all(int fd, const void* data, size_t size, const std::string& where);

// The steps of a durable write, for writers that stream their data (write_safetensors). Each fails
// as the POSIX call it stands for does, with errno set (Windows errors mapped to the nearest errno).
// open(2) with O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode 0644 (Windows: binary, not inherited);
// -1 on failure.
int create_file(const std::string& path);
// fsync(2); macOS: fcntl(F_FULLFSYNC), or fsync where the file system refuses it; Windows: _commit.
bool sync_fd(int fd);
// close(2).
bool close_fd(int fd);
// rename(2) of a file over another; Windows: MoveFileExW(MOVEFILE_REPLACE_EXISTING | WRITE_THROUGH).
bool replace_file(const std::string& from, const std::string& to);
// unlink(2), failure ignored: removes a temporary after an error.
void remove_file(const std::string& path);

// UTF-8 string <-> std::filesystem::path: plain conversions on Linux and macOS, u8path/u8string on
// Windows.
std::filesystem::path path_from_utf8(const std::string& utf8);
std::string path_to_utf8(const std::filesystem::path& path);

// True when both name the same existing file or folder (symlinks, "..", trailing slashes aside).
bool same_path(const std::string& a, const std::string& b);
// Renames every entry of `from` into `to` (created when missing), replacing entries of the same
// name, then syncs `to`. Both on one file system (a folder inside `to`, say). Io on failure.
void move_folder_contents(const std::string& from, const std::string& to);
// Copies every regular file of `from` into `to` (created when missing): each file is copied to a
// temporary name, synced and renamed over its target, so a failure never leaves a half-copied
// file under a real name. Refuses (InvalidArgument) when `to` is `from`: copying a folder onto
// itself deletes its files. Io naming the file on failure.
void copy_folder_files(const std::string& from, const std::string& to);

}  // namespace atelier
