<?php
/*
 * Plugin Name: realwp test harness
 * Description: The REST API mode of a test site (REALWP_REST_MODE in wp-config.php), as
 * security plugins, caches and proxies leave it on real sites; no mail, no outbound HTTP.
 */

add_filter('pre_wp_mail', '__return_false');
add_filter('pre_http_request', function () {
    return new WP_Error('realwp_offline', 'test sites make no HTTP requests');
}, 1);

$realwp_rest_mode = defined('REALWP_REST_MODE') ? REALWP_REST_MODE : 'on';

function realwp_unauthorized(): WP_Error
{
    return new WP_Error('rest_not_logged_in', 'You are not currently logged in.', ['status' => 401]);
}

if ($realwp_rest_mode === 'blocked') {
    // Every REST request from a visitor answers 401, as "disable REST API" plugins do.
    add_filter('rest_authentication_errors', function ($result) {
        return is_user_logged_in() ? $result : realwp_unauthorized();
    });
} elseif ($realwp_rest_mode === 'users_blocked') {
    // /wp/v2/users answers 401 (embedded authors become error objects), the rest works.
    // (Not rest_pre_dispatch: WordPress 6.1 cannot embed a WP_Error returned from there.)
    add_filter('rest_request_before_callbacks', function ($response, $handler, $request) {
        if (strpos($request->get_route(), '/wp/v2/users') === 0 && !is_user_logged_in()) {
            return realwp_unauthorized();
        }
        return $response;
    }, 10, 3);
} elseif ($realwp_rest_mode === 'no_embed') {
    // A cache or proxy that drops the _embed parameter: responses never hold _embedded.
    unset($_GET['_embed'], $_REQUEST['_embed']);
    add_filter('rest_post_dispatch', function ($response) {
        if ($response instanceof WP_REST_Response) {
            $data = $response->get_data();
            if (is_array($data) && isset($data['_embedded'])) {
                unset($data['_embedded']);
                $response->set_data($data);
            }
        }
        return $response;
    });
}
