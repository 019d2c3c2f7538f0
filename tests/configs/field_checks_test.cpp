// The schema's allowed intervals, and the check every config file passes through.
#include <set>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/field_checks.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sweep.pb.h"
#include "validation.pb.h"

using Catch::Matchers::ContainsSubstring;
using kcsim::config::AllowedRange;
using kcsim::config::LoadedFile;

namespace pb = google::protobuf;

namespace {

// Every message type reachable from `root`'s fields, kcsim's own only.
void collect(const pb::Descriptor* root, std::set<const pb::Descriptor*>& seen) {
  if (!seen.insert(root).second) return;
  for (int i = 0; i < root->field_count(); ++i) {
    const pb::Descriptor* nested = root->field(i)->message_type();
    if (nested && nested->file()->package() == "kcsim.config") collect(nested, seen);
  }
}

bool is_number(const pb::FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
    case pb::FieldDescriptor::CPPTYPE_INT32:
    case pb::FieldDescriptor::CPPTYPE_INT64:
    case pb::FieldDescriptor::CPPTYPE_UINT32:
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return true;
    default:
      return false;
  }
}

std::string error_of(const std::string& text) {
  kcsim::config::Scenario scenario;
  try {
    LoadedFile::parse_text(text, "s.textproto", &scenario);
  } catch (const kcsim::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every number in every schema declares the interval it allows", "[configs][checks]") {
  std::set<const pb::Descriptor*> messages;
  for (const pb::Descriptor* root :
       {kcsim::config::Sweep::descriptor(), kcsim::config::ValidationCase::descriptor()}) {
    collect(root, messages);
  }
  REQUIRE(messages.size() > 20);
  int numbers = 0;
  for (const pb::Descriptor* message : messages) {
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor& field = *message->field(i);
      if (!is_number(field)) continue;
      ++numbers;
      INFO(field.full_name());
      AllowedRange range;
      REQUIRE(kcsim::config::allowed_range(field, &range));
      CHECK(range.low <= range.high);
      // A declared default lies inside the interval.
      if (field.has_default_value() && field.cpp_type() == pb::FieldDescriptor::CPPTYPE_DOUBLE) {
        CHECK(range.contains(field.default_value_double()));
      }
    }
  }
  CHECK(numbers > 100);
}

TEST_CASE("an interval holds its ends as written", "[configs][checks]") {
  AllowedRange closed{0, 1, false, false};
  CHECK(closed.contains(0));
  CHECK(closed.contains(1));
  CHECK_FALSE(closed.contains(1.0000001));
  CHECK(closed.str() == "[0, 1]");
  AllowedRange open{0, 1, true, true};
  CHECK_FALSE(open.contains(0));
  CHECK_FALSE(open.contains(1));
  CHECK(open.contains(0.5));
  CHECK(open.str() == "(0, 1)");
}

TEST_CASE("values outside their interval name file:line:column and the field path",
          "[configs][checks]") {
  std::string text =
      "name: \"x\"\nclusters {\n  nodes: 2\n  node {\n    chip: \"h100-sxm\"\n"
      "    devices_per_node: 0\n  }\n}\n";
  CHECK_THAT(error_of(text),
             ContainsSubstring("s.textproto:6:5: clusters[0].node.devices_per_node: must lie in "
                               "[1, 1024] (got 0)"));
  CHECK_THAT(error_of("clusters { facility { pue: inf } }"),
             ContainsSubstring("clusters[0].facility.pue: must be a finite number (got inf)"));
  CHECK_THAT(error_of("clusters { facility { pue: nan } }"),
             ContainsSubstring("must be a finite number"));
  CHECK_THAT(error_of("training { seq_len: -4 }"),
             ContainsSubstring("training.seq_len: must lie in [1, 1e+08] (got -4)"));
  CHECK(error_of("clusters { facility { pue: 1.2 } }").empty());
}

TEST_CASE("text fields must be UTF-8 of bounded length", "[configs][checks]") {
  CHECK_THAT(error_of("name: \"caf\xc3\"\n"), ContainsSubstring("name: is not valid UTF-8 text"));
  CHECK(error_of("name: \"caf\xc3\xa9 \xea\xb0\x80\"\n").empty());
  std::string long_name =
      "name: \"" + std::string(kcsim::config::kMaxFieldTextBytes + 1, 'a') + "\"\n";
  CHECK_THAT(error_of(long_name), ContainsSubstring("at most 65536 are accepted"));
}

TEST_CASE("UTF-8 validation rejects what is not well-formed", "[configs][checks]") {
  using kcsim::config::is_utf8;
  CHECK(is_utf8(""));
  CHECK(is_utf8("plain ascii"));
  CHECK(is_utf8("\xed\x95\x9c\xea\xb5\xad"));  // 한국
  CHECK(is_utf8("\xf0\x9f\x98\x80"));          // U+1F600
  CHECK_FALSE(is_utf8("\xff"));                // never a UTF-8 byte
  CHECK_FALSE(is_utf8("\xc0\xaf"));            // overlong '/'
  CHECK_FALSE(is_utf8("\xed\xa0\x80"));        // a surrogate
  CHECK_FALSE(is_utf8("\xf4\x90\x80\x80"));    // past U+10FFFF
  CHECK_FALSE(is_utf8("\xe4\xb8"));            // cut short
  CHECK_FALSE(is_utf8("a\x80"));               // a continuation byte alone
}
