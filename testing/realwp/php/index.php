<?php
/*
 * This site's front controller. ABSPATH is the docroot (symlinks into Debian's WordPress), so
 * WordPress loads this docroot's wp-config.php, not Debian's host-based one.
 */
define('ABSPATH', __DIR__ . '/');
define('WP_USE_THEMES', true);
require ABSPATH . 'wp-blog-header.php';
