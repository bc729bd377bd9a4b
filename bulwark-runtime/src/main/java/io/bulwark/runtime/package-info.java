/**
 * The runtime API: a {@link io.bulwark.runtime.SystemModel} of {@link
 * io.bulwark.runtime.ServiceSpec services}, run by a {@link io.bulwark.runtime.SystemRuntime}; each
 * instance is built by its service's {@link io.bulwark.runtime.ServiceFactory} from an {@link
 * io.bulwark.runtime.InstanceContext} and controlled through an {@link
 * io.bulwark.runtime.InstanceHandle}.
 */
@NullMarked
package io.bulwark.runtime;

import org.jspecify.annotations.NullMarked;
