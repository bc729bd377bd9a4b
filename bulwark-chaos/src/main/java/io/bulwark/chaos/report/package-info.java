/** JSON and self-contained HTML reports of experiment runs. See docs/chaos.md. */
@NullMarked
package io.bulwark.chaos.report;

import org.jspecify.annotations.NullMarked;
