#pragma once
// The library side's factory of TrainingService (ModelServiceTable::createTraining).

#include <memory>

#include "meridian/service/TrainingService.hpp"

namespace meridian::service {

std::unique_ptr<TrainingService> makeTrainingService();

}  // namespace meridian::service
