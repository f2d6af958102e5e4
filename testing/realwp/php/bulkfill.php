<?php
/*
 * Adds many plain posts to an installed test site in one transaction, fast enough for
 * 1,000 posts in seconds: php bulkfill.php DOCROOT HOME SPEC.json, where the spec is
 * {"posts": [{"title", "content", "date"}]} (local dates). Prints [{"id", "link"}] in order.
 */
require __DIR__ . '/boot.php';
require ABSPATH . 'wp-load.php';

$spec = json_decode(file_get_contents($argv[3]), true, 512, JSON_THROW_ON_ERROR);
wp_set_current_user(1);
wp_defer_term_counting(true);
wp_suspend_cache_invalidation(true);
$wpdb->query('START TRANSACTION');
$made = [];
foreach ($spec['posts'] as $post) {
    $id = wp_insert_post([
        'post_type' => 'post',
        'post_status' => 'publish',
        'post_title' => $post['title'],
        'post_content' => $post['content'],
        'post_author' => 1,
        'post_date' => $post['date'],
        'post_date_gmt' => get_gmt_from_date($post['date']),
    ], true);
    if (is_wp_error($id)) {
        throw new RuntimeException($id->get_error_message());
    }
    $made[] = $id;
}
$wpdb->query('COMMIT');
wp_defer_term_counting(false);
wp_suspend_cache_invalidation(false);
echo json_encode(array_map(fn ($id) => ['id' => $id, 'link' => get_permalink($id)], $made)), "\n";
