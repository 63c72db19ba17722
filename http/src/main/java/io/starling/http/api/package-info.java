/** The admin API under /api/v1/, on BrokerAdmin. */
@NullMarked
package io.starling.http.api;

import org.jspecify.annotations.NullMarked;
