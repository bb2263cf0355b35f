// server/routing/validation_error.cc
#include "server/routing/validation_error.h"

#include <utility>

namespace corouter::routing {

http::Response ValidationErrorResponse(const std::vector<ValidationError>& errors) {
  http::Json detail = http::Json::array();
  for (const ValidationError& e : errors) {
    http::Json entry{{"loc", e.loc}, {"msg", e.msg}, {"type", e.type}};
    if (!e.ctx.is_null()) entry["ctx"] = e.ctx;
    detail.push_back(std::move(entry));
  }
  return http::JsonResponse(http::Json{{"detail", std::move(detail)}}, 422);
}

}  // namespace corouter::routing
