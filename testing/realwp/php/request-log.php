<?php
/*
 * Plugin Name: realwp request log
 * Description: One line per request WordPress answers (status, method, URI) in
 * wp-content/requests.log: the server's own count of what a crawl asked for.
 */
if (PHP_SAPI === 'cli') {
    return;  // the harness's own scripts
}
register_shutdown_function(function () {
    $line = http_response_code() . ' ' . ($_SERVER['REQUEST_METHOD'] ?? '?') . ' '
        . ($_SERVER['REQUEST_URI'] ?? '?') . "\n";
    file_put_contents(WP_CONTENT_DIR . '/requests.log', $line, FILE_APPEND | LOCK_EX);
});
