package io.bulwark.gateway.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.RouteSecurity;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebAssembly filter on the request head, run by Chicory (pure Java) in a fresh instance per
 * request on a virtual thread. ABI (module {@code bulwark}, all i32):
 *
 * <ul>
 *   <li>{@code header_get(name_ptr, name_len, buf_ptr, buf_cap) -> len}: copies the header's first
 *       value into the buffer if it fits; returns its length, or -1 if absent (a length over {@code
 *       buf_cap} means nothing was copied);
 *   <li>{@code header_set(name_ptr, name_len, value_ptr, value_len) -> 0|-1}: sets a header sent
 *       upstream (-1: not a token name, or a value with CR, LF or NUL);
 *   <li>{@code header_remove(name_ptr, name_len) -> 0|-1}: removes a header sent upstream;
 *   <li>{@code method(buf_ptr, buf_cap) -> len} and {@code path(buf_ptr, buf_cap) -> len}.
 * </ul>
 *
 * The module exports {@code memory} and {@code on_request() -> i32}: 0 allows the request (with its
 * header changes), 400 to 599 denies it with that status; anything else, a trap, a memory grown
 * past {@code max-memory-pages} (memory.grow returns -1) and then misused, or a call running longer
 * than {@code timeout} (interrupted) fails the request closed with the configured status.
 */
final class WasmStage implements Admission {
  private static final Logger LOG = LoggerFactory.getLogger(WasmStage.class);
  private static final List<ValType> I32x2 = List.of(ValType.I32, ValType.I32);
  private static final List<ValType> I32x4 =
      List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32);
  private static final List<ValType> I32 = List.of(ValType.I32);

  private final String route;
  private final RouteSecurity.Wasm config;
  private final WasmModule module;
  private final MemoryLimits limits;
  private final Scheduler scheduler;

  WasmStage(String route, RouteSecurity.Wasm config, Scheduler scheduler) {
    this.route = route;
    this.config = config;
    this.scheduler = scheduler;
    try {
      this.module = Parser.parse(Files.readAllBytes(config.module()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "route " + route + ": wasm module " + config.module() + " cannot be loaded: " + e, e);
    }
    int initial =
        module.memorySection().isPresent() && module.memorySection().get().memoryCount() > 0
            ? module.memorySection().get().getMemory(0).limits().initialPages()
            : 0;
    if (initial > config.maxMemoryPages()) {
      throw new IllegalArgumentException(
          "route "
              + route
              + ": wasm module "
              + config.module()
              + " starts with "
              + initial
              + " memory pages, over max-memory-pages "
              + config.maxMemoryPages());
    }
    this.limits = new MemoryLimits(initial, config.maxMemoryPages());
    // instantiate once now, so a module with unknown imports or no on_request is refused at load
    Instance probe = instance(new Call(Map.of(), "GET", "/"));
    if (probe.exports().function("on_request") == null) {
      throw new IllegalArgumentException(
          "route " + route + ": wasm module " + config.module() + " exports no on_request");
    }
  }

  @Override
  public String name() {
    return "wasm " + config.module().getFileName();
  }

  /** The request as the filter sees it, and the header changes it asked for. */
  private static final class Call {
    final Map<String, String> headers;
    final String method;
    final String path;
    final Map<String, String> set = new LinkedHashMap<>();
    final List<String> remove = new ArrayList<>();

    Call(Map<String, String> headers, String method, String path) {
      this.headers = headers;
      this.method = method;
      this.path = path;
    }
  }

  @Override
  public Future<Verdict> admit(AdmissionHead head) {
    Map<String, String> headers = new LinkedHashMap<>();
    head.headers()
        .forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
    Call call = new Call(headers, head.method(), head.path());
    return head.blocking(() -> run(call));
  }

  private Verdict run(Call call) {
    ExportFunction onRequest;
    try {
      onRequest = instance(call).export("on_request");
    } catch (RuntimeException e) {
      return failed("cannot be instantiated: " + e);
    }
    Thread self = Thread.currentThread();
    ScheduledTask alarm = scheduler.schedule(config.timeout().toNanos(), self::interrupt);
    long result;
    try {
      result = onRequest.apply()[0];
    } catch (ChicoryInterruptedException e) {
      return failed("ran longer than " + config.timeout() + " and was interrupted");
    } catch (RuntimeException | StackOverflowError e) {
      return failed("trapped: " + e);
    } finally {
      alarm.cancel();
      boolean ignored = Thread.interrupted(); // a late alarm must not leak into the next task
    }
    int verdict = (int) result;
    if (verdict == 0) {
      return Verdict.modify(call.set, call.remove);
    }
    if (verdict >= 400 && verdict <= 599) {
      return Verdict.deny(verdict, "filter-denied", "denied by the route's filter", Map.of());
    }
    return failed("returned " + verdict + " (0 allows, 400-599 denies)");
  }

  private Verdict failed(String why) {
    LOG.error(
        "route {}: wasm filter {} {}; request refused with {} (fail closed)",
        route,
        config.module(),
        why,
        config.failureStatus());
    return Verdict.deny(
        config.failureStatus(), "filter-failed", "the route's request filter failed", Map.of());
  }

  private Instance instance(Call call) {
    ImportValues imports =
        ImportValues.builder()
            .addFunction(
                new HostFunction(
                    "bulwark",
                    "header_get",
                    FunctionType.of(I32x4, I32),
                    (inst, args) -> {
                      Memory m = inst.memory();
                      String name =
                          m.readString((int) args[0], (int) args[1]).toLowerCase(Locale.ROOT);
                      String v = call.headers.get(name);
                      return new long[] {copy(m, v, (int) args[2], (int) args[3])};
                    }),
                new HostFunction(
                    "bulwark",
                    "header_set",
                    FunctionType.of(I32x4, I32),
                    (inst, args) -> {
                      Memory m = inst.memory();
                      String name = m.readString((int) args[0], (int) args[1]);
                      String value = m.readString((int) args[2], (int) args[3]);
                      if (!validName(name) || !validValue(value)) {
                        return new long[] {-1};
                      }
                      String lower = name.toLowerCase(Locale.ROOT);
                      call.set.put(lower, value);
                      return new long[] {0};
                    }),
                new HostFunction(
                    "bulwark",
                    "header_remove",
                    FunctionType.of(I32x2, I32),
                    (inst, args) -> {
                      String name = inst.memory().readString((int) args[0], (int) args[1]);
                      if (!validName(name)) {
                        return new long[] {-1};
                      }
                      String lower = name.toLowerCase(Locale.ROOT);
                      call.set.remove(lower);
                      call.remove.add(lower);
                      return new long[] {0};
                    }),
                new HostFunction(
                    "bulwark",
                    "method",
                    FunctionType.of(I32x2, I32),
                    (inst, args) ->
                        new long[] {
                          copy(inst.memory(), call.method, (int) args[0], (int) args[1])
                        }),
                new HostFunction(
                    "bulwark",
                    "path",
                    FunctionType.of(I32x2, I32),
                    (inst, args) ->
                        new long[] {copy(inst.memory(), call.path, (int) args[0], (int) args[1])}))
            .build();
    return Instance.builder(module).withImportValues(imports).withMemoryLimits(limits).build();
  }

  private static long copy(
      Memory m, @org.jspecify.annotations.Nullable String v, int ptr, int cap) {
    if (v == null) {
      return -1;
    }
    byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= cap) {
      m.write(ptr, bytes);
    }
    return bytes.length;
  }

  private static boolean validName(String name) {
    return !name.isEmpty()
        && name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
  }

  private static boolean validValue(String value) {
    return value.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0);
  }
}
