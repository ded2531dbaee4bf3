#include "sotto/nn/plan_registry.h"

#include "ops/families.h"
#include "sotto/error.h"

namespace sotto::nn {
namespace {

PlanRegistry makeBuiltin() {
  PlanRegistry r;
  ops::addLinearPlans(r);
  ops::addElementwisePlans(r);
  ops::addPoolingPlans(r);
  ops::addActivationPlans(r);
  ops::addShapePlans(r);
  ops::addRecurrentPlans(r);
  ops::addPiecewisePlans(r);
  ops::addSlicingPlans(r);
  ops::addReducePlans(r);
  return r;
}

}  // namespace

const PlanRegistry& PlanRegistry::builtin() {
  static const PlanRegistry kBuiltin = makeBuiltin();
  return kBuiltin;
}

void PlanRegistry::add(OpPlan plan) {
  SOTTO_ENFORCE(!plan.type.empty(), "plan registry: an entry has no op type");
  SOTTO_ENFORCE(static_cast<bool>(plan.plan), "plan registry: '", plan.type, "' has no plan");
  SOTTO_ENFORCE(!by_type_.count(plan.type), "plan registry: '", plan.type, "' already has a plan");
  std::string type = plan.type;
  by_type_.emplace(std::move(type), std::move(plan));
}

const OpPlan* PlanRegistry::find(const std::string& type) const {
  auto it = by_type_.find(type);
  return it == by_type_.end() ? nullptr : &it->second;
}

std::vector<std::string> PlanRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [type, plan] : by_type_) out.push_back(type);
  return out;
}

std::string PlanRegistry::typeList() const {
  std::string list;
  for (const auto& [type, plan] : by_type_) list += (list.empty() ? "" : ", ") + type;
  return list;
}

}  // namespace sotto::nn
