<?php
/*
 * The ground truth, read back from WordPress itself: php truth.php DOCROOT HOME > truth.json.
 * "posts" are what a visitor can read (published, not password-protected), with each page of
 * a multi-page post rendered through the_content; "absent" is what must never be stored.
 */
require __DIR__ . '/boot.php';
require ABSPATH . 'wp-load.php';

function realwp_plain(string $html): string
{
    // As a reader sees it: no tags, entities decoded (&#038; -> &, &#8220; -> “).
    return html_entity_decode(wp_strip_all_tags($html), ENT_QUOTES | ENT_HTML5, 'UTF-8');
}

function realwp_terms(WP_Post $post, string $taxonomy): array
{
    $terms = get_the_terms($post, $taxonomy);
    return is_array($terms) ? array_map(fn ($t) => realwp_plain($t->name), $terms) : [];
}

function realwp_gmt(string $mysql): ?string
{
    return $mysql === '0000-00-00 00:00:00' ? null : str_replace(' ', 'T', $mysql) . '+00:00';
}

function realwp_readable(WP_Post $post, string $key, string $url): array
{
    // Each page as a visitor gets it: the globals WordPress's loop sets, then the_content.
    $GLOBALS['post'] = $post;
    setup_postdata($post);
    $rendered = [];
    for ($number = 1; $number <= $GLOBALS['numpages']; $number++) {
        $GLOBALS['page'] = $number;
        $GLOBALS['more'] = 1;
        $rendered[] = apply_filters('the_content', get_the_content());
    }
    return [
        'id' => $post->ID,
        'key' => $key,
        'url' => $url,
        'title' => realwp_plain(get_the_title($post)),
        'author' => realwp_plain(get_the_author_meta('display_name', $post->post_author)),
        'published_gmt' => realwp_gmt($post->post_date_gmt),
        'modified_gmt' => realwp_gmt($post->post_modified_gmt),
        'categories' => realwp_terms($post, 'category'),
        'tags' => realwp_terms($post, 'post_tag'),
        'pages_html' => $rendered,
        'sticky' => is_sticky($post->ID),
        'comments' => (int) get_comments_number($post),
    ];
}

$realwp_posts = [];
$realwp_absent = [];
$realwp_all = get_posts([
    'post_type' => ['post', 'page'],
    'post_status' => ['publish', 'private', 'draft', 'future', 'pending'],
    'numberposts' => -1,
    'orderby' => 'ID',
    'order' => 'ASC',
]);
foreach ($realwp_all as $realwp_post) {
    $url = get_permalink($realwp_post);
    $key = get_post_meta($realwp_post->ID, '_realwp_key', true);
    $reason = null;
    if ($realwp_post->post_type !== 'post') {
        $reason = 'page';
    } elseif ($realwp_post->post_status !== 'publish') {
        $reason = $realwp_post->post_status;
    } elseif (post_password_required($realwp_post)) {
        $reason = 'password';
    }
    if ($reason !== null) {
        $realwp_absent[] = [
            'id' => $realwp_post->ID,
            'key' => $key,
            'reason' => $reason,
            'title' => realwp_plain($realwp_post->post_title),
            'urls' => array_values(array_unique([$url, home_url('/?p=' . $realwp_post->ID)])),
        ];
        continue;
    }
    $realwp_posts[] = realwp_readable($realwp_post, $key, $url);
}
wp_reset_postdata();
echo json_encode([
    'home' => home_url(),
    'theme' => get_stylesheet(),
    'permalink_structure' => get_option('permalink_structure'),
    'timezone' => get_option('timezone_string'),
    'posts' => $realwp_posts,
    'absent' => $realwp_absent,
], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";
