/** The HTTP mechanism: the pipeline, requests, replies, routes and the JSON writer. */
@NullMarked
package io.starling.http.server;

import org.jspecify.annotations.NullMarked;
