<?php
/*
 * Installs WordPress in the site's empty database and fills it through WordPress's own API
 * from a JSON spec: php fill.php DOCROOT HOME SPEC.json. Prints {"ok": true} when done.
 */
require __DIR__ . '/boot.php';
define('WP_INSTALLING', true);

function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password)
{
    // No mail from the installer.
}

require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

$spec = json_decode(file_get_contents($argv[3]), true, 512, JSON_THROW_ON_ERROR);
$home = home_url();

// Public, as a news site is: a non-public WordPress turns its core sitemaps off.
$installed = wp_install($spec['blog_title'], 'admin', 'admin@example.invalid', true, '', 'realwp-admin');
$admin_id = (int) $installed['user_id'];
wp_set_current_user($admin_id);  // as an editor: no kses on titles, unfiltered HTML allowed
$wpdb->query('START TRANSACTION');  // one commit, not one disk flush per row

wp_delete_post(1, true);  // the installer's "Hello world!"
update_option('blogdescription', $spec['tagline']);
update_option('timezone_string', $spec['timezone']);
update_option('posts_per_page', 10);
update_option('default_comment_status', 'open');
update_option('comment_moderation', 0);
switch_theme($spec['theme']);
global $wp_rewrite;
$wp_rewrite->set_permalink_structure($spec['permalink_structure']);

$authors = ['admin' => $admin_id];
wp_update_user(['ID' => $admin_id, 'display_name' => $spec['admin_display_name']]);
foreach ($spec['authors'] as $author) {
    $id = wp_create_user($author['login'], wp_generate_password(), $author['login'] . '@example.invalid');
    if (is_wp_error($id)) {
        throw new RuntimeException($id->get_error_message());
    }
    wp_update_user(['ID' => $id, 'display_name' => $author['display_name'], 'role' => 'author']);
    $authors[$author['login']] = $id;
}

$term_ids = ['category' => [], 'post_tag' => []];
foreach (['category' => 'categories', 'post_tag' => 'tags'] as $taxonomy => $key) {
    foreach ($spec[$key] as $name) {
        $term = wp_insert_term($name, $taxonomy);
        if (is_wp_error($term)) {
            throw new RuntimeException($term->get_error_message());
        }
        $term_ids[$taxonomy][$name] = (int) $term['term_id'];
    }
}

foreach ($spec['posts'] as $post) {
    $id = wp_insert_post([
        'post_type' => $post['type'],
        'post_status' => $post['status'],
        'post_title' => $post['title'],
        'post_content' => str_replace('{home}', $home, $post['content']),
        'post_author' => $authors[$post['author']],
        'post_date' => $post['date'],
        'post_date_gmt' => get_gmt_from_date($post['date']),
        'post_password' => $post['password'] ?? '',
        'comment_status' => 'open',
        'meta_input' => ['_realwp_key' => $post['key']],
    ], true);
    if (is_wp_error($id)) {
        throw new RuntimeException($id->get_error_message());
    }
    if (!empty($post['modified'])) {
        // wp_insert_post always stamps "now"; a real edit happened at a known time.
        $GLOBALS['wpdb']->update($GLOBALS['wpdb']->posts, [
            'post_modified' => $post['modified'],
            'post_modified_gmt' => get_gmt_from_date($post['modified']),
        ], ['ID' => $id]);
    }
    if ($post['type'] === 'post') {
        $categories = array_map(fn ($n) => $term_ids['category'][$n], $post['categories']);
        wp_set_post_terms($id, $categories, 'category');
        $tags = array_map(fn ($n) => $term_ids['post_tag'][$n], $post['tags']);
        wp_set_post_terms($id, $tags, 'post_tag');
    }
    if (!empty($post['sticky'])) {
        stick_post($id);
    }
    foreach ($post['comments'] as $i => $comment) {
        wp_insert_comment([
            'comment_post_ID' => $id,
            'comment_author' => $comment['author'],
            'comment_author_email' => 'reader' . $i . '@example.invalid',
            'comment_content' => $comment['text'],
            'comment_date' => $comment['date'],
            'comment_date_gmt' => get_gmt_from_date($comment['date']),
            'comment_approved' => 1,
        ]);
    }
}
flush_rewrite_rules(false);
$wpdb->query('COMMIT');
echo json_encode(['ok' => true]), "\n";
