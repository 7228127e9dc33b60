#include "manager/event_stream.h"

namespace berth::manager {

EventStream::~EventStream() {
  sub_->SetWaker(nullptr);
  bus_.Unsubscribe(sub_);
}

bool EventStream::TryRead(std::string& out) {
  while (auto e = sub_->TryNext()) out += "event: " + e->type + "\ndata: " + e->data + "\n\n";
  return !sub_->closed();
}

}  // namespace berth::manager
