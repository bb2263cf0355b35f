// The request journal (server/journal/journal.h) and its filters
// (request_filter.h): each filter field, the errors naming the field, the
// ring's bound, clearing by filter, and collecting only new entries.
#include "server/journal/journal.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/journal/request_filter.h"

namespace corouter::journal {
namespace {

namespace v1 = corouter::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::JournalEntry Entry(const std::string& method, const std::string& target,
                       const std::string& path_template, int status, int64_t received = 1000) {
  v1::JournalEntry e;
  e.mutable_request()->set_method(method);
  e.mutable_request()->set_target(target);
  e.set_path_template(path_template);
  e.set_endpoint(path_template.empty() ? "" : absl::StrCat("endpoint", path_template));
  e.set_status_code(status);
  e.set_received_unix_nanos(received);
  return e;
}

RequestFilter Filter(const v1::RequestFilter& f) {
  absl::StatusOr<RequestFilter> filter = RequestFilter::Create(f);
  EXPECT_TRUE(filter.ok()) << filter.status();
  return filter.ok() ? *filter : RequestFilter();
}

std::vector<std::string> Targets(const std::vector<v1::JournalEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.request().target());
  return out;
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    journal_.Record(Entry("GET", "/items/1?q=a", "/items/{id}", 200, 100));
    journal_.Record(Entry("POST", "/items/", "/items/", 422, 200));
    journal_.Record(Entry("GET", "/nope", "", 404, 300));
    v1::JournalEntry with_header = Entry("GET", "/items/22", "/items/{id}", 200, 400);
    v1::HttpHeader* h = with_header.mutable_request()->add_headers();
    h->set_name("X-Tenant");
    h->set_value("blue");
    journal_.Record(with_header);
    v1::JournalEntry cancelled = Entry("GET", "/slow", "/slow", 0, 500);
    cancelled.set_cancelled(true);
    journal_.Record(cancelled);
  }
  Journal journal_{100};
};

TEST_F(JournalTest, KeepsTheOrderAndNumbersEntries) {
  const std::vector<v1::JournalEntry> all = journal_.List(RequestFilter());
  EXPECT_THAT(Targets(all), ElementsAre("/items/1?q=a", "/items/", "/nope", "/items/22", "/slow"));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].sequence(), i + 1);
  EXPECT_THAT(Targets(journal_.List(RequestFilter(), 2)), ElementsAre("/items/22", "/slow"));
}

TEST_F(JournalTest, FiltersOnEachField) {
  v1::RequestFilter f;
  f.add_methods("POST");
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/items/"));

  f.Clear();
  f.add_path_templates("/items/{id}");
  EXPECT_EQ(journal_.Count(Filter(f)), 2u);
  f.Clear();
  f.add_path_templates("");  // no route
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/nope"));
  f.Clear();
  f.add_endpoints("endpoint/items/");
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/items/"));

  f.Clear();
  f.add_status("4xx");
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/items/", "/nope"));
  f.Clear();
  f.add_status("200");
  f.add_status("404");  // OR within a field
  EXPECT_EQ(journal_.Count(Filter(f)), 3u);
  f.add_methods("GET");
  f.add_path_templates("/items/{id}");  // AND across fields
  EXPECT_EQ(journal_.Count(Filter(f)), 2u);

  f.Clear();
  f.set_target_regex("^/items/\\d+$");
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/items/22"));
  f.set_target_regex("q=");  // searched anywhere
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/items/1?q=a"));

  f.Clear();
  v1::HttpHeader* h = f.add_headers();
  h->set_name("x-tenant");  // names compared case-insensitively
  h->set_value("blue");
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/items/22"));
  h->set_value("Blue");  // values exactly
  EXPECT_EQ(journal_.Count(Filter(f)), 0u);

  f.Clear();
  f.set_received_after_unix_nanos(200);
  f.set_received_before_unix_nanos(400);
  EXPECT_THAT(Targets(journal_.List(Filter(f))), ElementsAre("/items/", "/nope"));
}

TEST_F(JournalTest, ACancelledRequestHasNoStatus) {
  v1::RequestFilter f;
  f.add_status("0");
  EXPECT_EQ(RequestFilter::Create(f).status().code(), absl::StatusCode::kInvalidArgument);
  f.Clear();
  f.add_path_templates("/slow");
  const auto slow = journal_.List(Filter(f));
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_TRUE(slow[0].cancelled());
  f.add_status("2xx");
  EXPECT_EQ(journal_.Count(Filter(f)), 0u);
}

TEST(RequestFilterTest, RefusesWhatIsNotAFilterNamingTheField) {
  v1::RequestFilter f;
  f.add_status("6xx");
  EXPECT_THAT(RequestFilter::Create(f).status().message(), HasSubstr("filter.status"));
  f.Clear();
  f.set_target_regex("(");
  absl::Status status = RequestFilter::Create(f).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("filter.target_regex"));
  f.Clear();
  f.add_headers()->set_value("x");
  EXPECT_THAT(RequestFilter::Create(f).status().message(), HasSubstr("filter.headers[0].name"));
  f.Clear();
  f.set_received_after_unix_nanos(10);
  f.set_received_before_unix_nanos(10);
  EXPECT_THAT(RequestFilter::Create(f).status().message(), HasSubstr("received_before_unix_nanos"));
}

TEST_F(JournalTest, ClearsOnlyTheMatchingEntriesAndNeverReusesNumbers) {
  v1::RequestFilter f;
  f.add_status("4xx");
  EXPECT_EQ(journal_.Clear(Filter(f)), 2u);
  EXPECT_THAT(Targets(journal_.List(RequestFilter())),
              ElementsAre("/items/1?q=a", "/items/22", "/slow"));
  journal_.Record(Entry("GET", "/after", "/after", 200));
  EXPECT_EQ(journal_.List(RequestFilter()).back().sequence(), 6u);
  EXPECT_EQ(journal_.Clear(RequestFilter()), 4u);
  EXPECT_EQ(journal_.Count(RequestFilter()), 0u);
  EXPECT_EQ(journal_.evicted(), 0u);  // cleared is not evicted
}

TEST(JournalBoundTest, KeepsTheNewestCapacityEntriesAndCountsTheEvicted) {
  Journal journal(3);
  for (int i = 1; i <= 5; ++i) journal.Record(Entry("GET", absl::StrCat("/", i), "/x", 200));
  EXPECT_THAT(Targets(journal.List(RequestFilter())), ElementsAre("/3", "/4", "/5"));
  EXPECT_EQ(journal.evicted(), 2u);
}

TEST(JournalBoundTest, CollectAfterSeesEachNewEntryOnce) {
  Journal journal(10);
  journal.Record(Entry("GET", "/a", "/x", 200));
  std::vector<v1::JournalEntry> seen;
  uint64_t after = journal.CollectAfter(RequestFilter(), 0, &seen);
  EXPECT_EQ(after, 1u);
  journal.Record(Entry("GET", "/b", "/x", 200));
  journal.Record(Entry("GET", "/c", "/x", 200));
  after = journal.CollectAfter(RequestFilter(), after, &seen);
  EXPECT_EQ(after, 3u);
  after = journal.CollectAfter(RequestFilter(), after, &seen);  // nothing new
  EXPECT_THAT(Targets(seen), ElementsAre("/a", "/b", "/c"));
}

TEST(JournalBoundTest, RecordsFromManyThreadsAtOnce) {
  Journal journal(100000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&journal] {
      for (int i = 0; i < 1000; ++i) journal.Record(Entry("GET", "/x", "/x", 200));
    });
  }
  std::vector<v1::JournalEntry> seen;
  uint64_t after = 0;
  while (after < 4000) after = journal.CollectAfter(RequestFilter(), after, &seen);
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(seen.size(), 4000u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].sequence(), i + 1);
}

}  // namespace
}  // namespace corouter::journal
