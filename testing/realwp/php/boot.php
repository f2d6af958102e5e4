<?php
/*
 * Loads one test site's WordPress from the command line: php SCRIPT.php DOCROOT HOME [ARGS].
 * The request variables are those of a visitor of the site's home URL.
 */
$realwp_docroot = rtrim($argv[1], '/');
define('ABSPATH', $realwp_docroot . '/');
$realwp_home = parse_url($argv[2]);
$_SERVER['HTTP_HOST'] = $realwp_home['host'] . ':' . $realwp_home['port'];
$_SERVER['SERVER_NAME'] = $realwp_home['host'];
$_SERVER['SERVER_PORT'] = (string) $realwp_home['port'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
