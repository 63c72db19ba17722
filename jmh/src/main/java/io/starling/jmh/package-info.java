/** JMH micro-benchmarks of Starling's hot paths. */
@NullUnmarked
package io.starling.bench;

import org.jspecify.annotations.NullUnmarked;
