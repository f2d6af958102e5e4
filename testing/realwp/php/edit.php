<?php
/*
 * Edits one post as an editor would, so WordPress stamps post_modified "now":
 * php edit.php DOCROOT HOME ID NEW_TITLE. Prints {"id", "link", "modified_gmt"}.
 */
require __DIR__ . '/boot.php';
require ABSPATH . 'wp-load.php';

wp_set_current_user(1);
$id = (int) $argv[3];
$result = wp_update_post(['ID' => $id, 'post_title' => $argv[4]], true);
if (is_wp_error($result)) {
    throw new RuntimeException($result->get_error_message());
}
$post = get_post($id);
echo json_encode(['id' => $id, 'link' => get_permalink($id), 'modified_gmt' => $post->post_modified_gmt]), "\n";
