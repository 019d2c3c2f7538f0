// The HDF5 side of hdf5_table.hpp (the layout is described there), exported as the table of
// analysis/hdf5_io.hpp.
#include "analysis/hdf5_io.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <hdf5.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"

namespace kcsim {
namespace {

namespace fs = std::filesystem;

// Closes an HDF5 handle when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void check(herr_t status, const fs::path& path, const char* what) {
  if (status < 0) throw InputError(fmt::format("{}: cannot write: {} failed", path.string(), what));
}

hid_t string_type() {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

void write_attribute(hid_t object, const std::string& name, const std::string& value,
                     const fs::path& path) {
  Handle type(string_type(), H5Tclose);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(
      H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  if (!attribute.ok()) check(-1, path, "creating an attribute");
  const char* text = value.c_str();
  check(H5Awrite(attribute.get(), type.get(), &text), path, "writing an attribute");
}

// HDF5 has no boolean type; h5py writes and reads numpy.bool_ as this enum.
hid_t boolean_type() {
  hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
  int8_t value = 0;
  H5Tenum_insert(type, "FALSE", &value);
  value = 1;
  H5Tenum_insert(type, "TRUE", &value);
  return type;
}

void write_typed_attribute(hid_t object, const TableAttribute& entry, const fs::path& path) {
  if (entry.kind == TableAttribute::Text) {
    write_attribute(object, entry.name, entry.value, path);
    return;
  }
  bool integer = entry.kind == TableAttribute::Integer;
  Handle type(integer ? H5Tcopy(H5T_STD_I64LE) : boolean_type(), H5Tclose);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(
      H5Acreate2(object, entry.name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  if (!attribute.ok()) check(-1, path, "creating an attribute");
  if (integer) {
    int64_t value = std::stoll(entry.value);
    check(H5Awrite(attribute.get(), H5T_NATIVE_INT64, &value), path, "writing an attribute");
  } else {
    int8_t value = entry.value == "true" ? 1 : 0;
    check(H5Awrite(attribute.get(), type.get(), &value), path, "writing an attribute");
  }
}

std::string read_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return "";
  Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  Handle type(string_type(), H5Tclose);
  char* text = nullptr;
  if (H5Aread(attribute.get(), type.get(), &text) < 0 || !text) return "";
  std::string value(text);
  H5free_memory(text);
  return value;
}

// An attribute of any kind kcsim writes: text, a 64-bit integer, or a boolean enum.
TableAttribute read_typed_attribute(hid_t object, const char* name) {
  TableAttribute entry{name, "", TableAttribute::Text};
  Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER: {
      int64_t value = 0;
      if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) >= 0) {
        entry.kind = TableAttribute::Integer;
        entry.value = std::to_string(value);
      }
      return entry;
    }
    case H5T_ENUM: {
      Handle memory(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), H5Tclose);
      unsigned char bytes[8] = {0};  // wide enough for any integer an enum is based on
      if (H5Tget_size(memory.get()) <= sizeof bytes &&
          H5Aread(attribute.get(), memory.get(), bytes) >= 0) {
        entry.kind = TableAttribute::Boolean;
        bool set = std::any_of(std::begin(bytes), std::end(bytes), [](auto b) { return b != 0; });
        entry.value = set ? "true" : "false";
      }
      return entry;
    }
    default:
      entry.value = read_attribute(object, name);
      return entry;
  }
}

Handle new_group(hid_t parent, const std::string& name, hid_t props, const fs::path& path) {
  Handle group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, props, H5P_DEFAULT), H5Gclose);
  if (!group.ok()) check(-1, path, "creating a group");
  return group;
}

// /series/POINT/RUN/NAME, one float64 dataset per series, and the run group's "columns"
// attribute naming them in order. No /series when no run produced any.
void write_series(hid_t file, const SweepTable& table, hid_t group_props, hid_t dataset_props,
                  const fs::path& path) {
  if (table.series.empty()) return;
  Handle root = new_group(file, "series", group_props, path);
  std::optional<Handle> point;
  size_t point_index = 0;
  for (const auto& entry : table.series) {
    if (!point || entry.point != point_index) {
      point.reset();
      point.emplace(H5Gcreate2(root.get(), std::to_string(entry.point).c_str(), H5P_DEFAULT,
                               group_props, H5P_DEFAULT),
                    H5Gclose);
      if (!point->ok()) check(-1, path, "creating a series group");
      point_index = entry.point;
    }
    Handle run = new_group(point->get(), std::to_string(entry.run), group_props, path);
    std::string names;
    for (const auto& name : entry.series.names) names += name + "\n";
    write_attribute(run.get(), "columns", names, path);
    for (size_t c = 0; c < entry.series.names.size(); ++c) {
      const auto& values = entry.series.columns[c];
      hsize_t size = values.size();
      Handle space(H5Screate_simple(1, &size, nullptr), H5Sclose);
      Handle dataset(H5Dcreate2(run.get(), entry.series.names[c].c_str(), H5T_IEEE_F64LE,
                                space.get(), H5P_DEFAULT, dataset_props, H5P_DEFAULT),
                     H5Dclose);
      if (!dataset.ok()) check(-1, path, "creating a series dataset");
      if (size == 0) continue;
      check(
          H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          path, "writing a series");
    }
  }
}

// The names of `group`'s members that are indices, in numeric order.
std::vector<size_t> indexed_members(hid_t group) {
  H5G_info_t info;
  std::vector<size_t> out;
  if (H5Gget_info(group, &info) < 0) return out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[64] = {0};
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                           H5P_DEFAULT) < 0) {
      continue;
    }
    size_t value = 0;
    auto [end, error] = std::from_chars(name, name + std::strlen(name), value);
    if (error == std::errc() && *end == '\0') out.push_back(value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<RunSeries> read_series(hid_t file, const fs::path& path) {
  std::vector<RunSeries> out;
  if (H5Lexists(file, "series", H5P_DEFAULT) <= 0) return out;
  Handle root(H5Gopen2(file, "series", H5P_DEFAULT), H5Gclose);
  for (size_t point : indexed_members(root.get())) {
    Handle point_group(H5Gopen2(root.get(), std::to_string(point).c_str(), H5P_DEFAULT), H5Gclose);
    for (size_t run : indexed_members(point_group.get())) {
      Handle run_group(H5Gopen2(point_group.get(), std::to_string(run).c_str(), H5P_DEFAULT),
                       H5Gclose);
      RunSeries entry{point, run, {}};
      std::istringstream names(read_attribute(run_group.get(), "columns"));
      for (std::string name; std::getline(names, name);) {
        Handle dataset(H5Dopen2(run_group.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
        if (!dataset.ok()) {
          throw InputError(fmt::format("{}: /series/{}/{}/{}: the series is missing", path.string(),
                                       point, run, name));
        }
        Handle space(H5Dget_space(dataset.get()), H5Sclose);
        hsize_t size = 0;
        H5Sget_simple_extent_dims(space.get(), &size, nullptr);
        std::vector<double> values(size);
        if (size > 0) {
          H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
        }
        entry.series.names.push_back(name);
        entry.series.columns.push_back(std::move(values));
      }
      out.push_back(std::move(entry));
    }
  }
  return out;
}

void write_file(const fs::path& path, const SweepTable& table) {
  // No creation or modification times in object headers: the same table, the same bytes.
  Handle file_props(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
  H5Pset_obj_track_times(file_props.get(), false);
  H5Pset_attr_creation_order(file_props.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, file_props.get(), H5P_DEFAULT), H5Fclose);
  if (!file.ok()) {
    throw InputError(fmt::format("{}: cannot write: HDF5 cannot create the file", path.string()));
  }
  Handle group_props(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  H5Pset_obj_track_times(group_props.get(), false);
  Handle dataset_props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_obj_track_times(dataset_props.get(), false);

  std::string columns;
  for (const auto& column : table.columns) columns += column.name + "\n";
  for (const auto& entry : table.attributes) write_typed_attribute(file.get(), entry, path);
  write_attribute(file.get(), "columns", columns, path);

  Handle points(H5Gcreate2(file.get(), "points", H5P_DEFAULT, group_props.get(), H5P_DEFAULT),
                H5Gclose);
  if (!points.ok()) check(-1, path, "creating /points");
  hsize_t rows = table.rows;
  Handle space(H5Screate_simple(1, &rows, nullptr), H5Sclose);
  Handle text_type(string_type(), H5Tclose);
  for (const auto& column : table.columns) {
    hid_t type = column.text ? text_type.get() : H5T_IEEE_F64LE;
    Handle dataset(H5Dcreate2(points.get(), column.name.c_str(), type, space.get(), H5P_DEFAULT,
                              dataset_props.get(), H5P_DEFAULT),
                   H5Dclose);
    if (!dataset.ok()) check(-1, path, "creating a dataset");
    if (rows == 0) continue;
    if (column.text) {
      std::vector<const char*> texts;
      texts.reserve(column.texts.size());
      for (const auto& text : column.texts) texts.push_back(text.c_str());
      check(H5Dwrite(dataset.get(), text_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()),
            path, "writing a text column");
    } else {
      check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     column.numbers.data()),
            path, "writing a number column");
    }
  }
  write_series(file.get(), table, group_props.get(), dataset_props.get(), path);
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), path, "flushing");
}

void write_table(const fs::path& path, const SweepTable& table, const std::string& flag) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr noise
  replace_file_atomically({path, flag},
                          [&](const fs::path& temporary) { write_file(temporary, table); });
}

SweepTable read_table(const fs::path& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!fs::is_regular_file(path) || H5Fis_hdf5(path.c_str()) <= 0) {
    throw InputError(fmt::format("{}: file: not an HDF5 file", path.string()));
  }
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) throw InputError(fmt::format("{}: file: HDF5 cannot open it", path.string()));
  std::string columns = read_attribute(file.get(), "columns");
  if (columns.empty() || H5Lexists(file.get(), "points", H5P_DEFAULT) <= 0) {
    throw InputError(fmt::format("{}: file: not a kcsim sweep (no /points table)", path.string()));
  }
  SweepTable table;
  // Every root attribute but "columns", in the order they were written.
  H5O_info_t info;
  H5Oget_info2(file.get(), &info, H5O_INFO_NUM_ATTRS);
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    Handle attribute(H5Aopen_by_idx(file.get(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i,
                                    H5P_DEFAULT, H5P_DEFAULT),
                     H5Aclose);
    if (!attribute.ok()) continue;
    char name[256] = {0};
    H5Aget_name(attribute.get(), sizeof name, name);
    if (std::string(name) != "columns") {
      table.attributes.push_back(read_typed_attribute(file.get(), name));
    }
  }
  Handle points(H5Gopen2(file.get(), "points", H5P_DEFAULT), H5Gclose);
  std::istringstream names(columns);
  Handle text_type(string_type(), H5Tclose);
  bool first = true;
  for (std::string name; std::getline(names, name);) {
    Handle dataset(H5Dopen2(points.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset.ok()) {
      throw InputError(fmt::format("{}: /points/{}: the column is missing", path.string(), name));
    }
    Handle space(H5Dget_space(dataset.get()), H5Sclose);
    hsize_t rows = 0;
    H5Sget_simple_extent_dims(space.get(), &rows, nullptr);
    if (first) table.rows = rows;
    first = false;
    if (rows != table.rows) {
      throw InputError(
          fmt::format("{}: /points/{}: {} rows, not {}", path.string(), name, rows, table.rows));
    }
    Handle type(H5Dget_type(dataset.get()), H5Tclose);
    SweepColumn column;
    column.name = name;
    column.text = H5Tget_class(type.get()) == H5T_STRING;
    if (column.text) {
      std::vector<char*> texts(rows, nullptr);
      if (rows > 0) {
        H5Dread(dataset.get(), text_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data());
      }
      for (char* text : texts) {
        column.texts.emplace_back(text ? text : "");
        H5free_memory(text);
      }
    } else {
      column.numbers.resize(rows);
      if (rows > 0) {
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                column.numbers.data());
      }
    }
    table.columns.push_back(std::move(column));
  }
  table.series = read_series(file.get(), path);
  return table;
}

constexpr Hdf5TableIo kIo{write_table, read_table};

}  // namespace
}  // namespace kcsim

extern "C" const kcsim::Hdf5TableIo* kcsim_hdf5_table_io() { return &kcsim::kIo; }
