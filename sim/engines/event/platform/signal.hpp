// One way for the event engine to announce what happened, and for observers to hear it without
// the engine knowing them (the way SimGrid's own signals serve its plugins). An observer connects
// a callback and keeps the Connection: the callback stays connected exactly as long as the
// Connection lives, so an observer that goes away can never be called again.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace kcsim::event {

template <class Event>
class Signal {
 public:
  using Slot = std::function<void(const Event&)>;

  // Disconnects its callback when destroyed (or when disconnect() is called); movable, not
  // copyable.
  class Connection {
   public:
    Connection() = default;
    Connection(Connection&& other) noexcept
        : signal_(std::exchange(other.signal_, nullptr)), id_(other.id_) {}
    Connection& operator=(Connection&& other) noexcept {
      if (this != &other) {
        disconnect();
        signal_ = std::exchange(other.signal_, nullptr);
        id_ = other.id_;
      }
      return *this;
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { disconnect(); }

    void disconnect() {
      if (signal_) std::exchange(signal_, nullptr)->remove(id_);
    }
    bool connected() const { return signal_ != nullptr; }

   private:
    friend class Signal;
    Connection(Signal* signal, uint64_t id) : signal_(signal), id_(id) {}
    Signal* signal_ = nullptr;
    uint64_t id_ = 0;
  };

  Signal() = default;
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  [[nodiscard]] Connection connect(Slot slot) {
    slots_.emplace_back(++last_id_, std::move(slot));
    return Connection(this, last_id_);
  }
  // Calls every connected callback, in the order they connected.
  void emit(const Event& event) const {
    for (const auto& [id, slot] : slots_) slot(event);
  }
  // Nobody listens: the engine may skip building the event.
  bool empty() const { return slots_.empty(); }

 private:
  void remove(uint64_t id) {
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      if (it->first == id) {
        slots_.erase(it);
        return;
      }
    }
  }

  std::vector<std::pair<uint64_t, Slot>> slots_;
  uint64_t last_id_ = 0;
};

}  // namespace kcsim::event
