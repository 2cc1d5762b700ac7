//! One page on screen, the same on every screen that shows one (采集's viewer,
//! 著录, 质检, 检索): the wheel zooms around the pointer, dragging pans, a bar
//! shows the zoom (100 % = one page pixel per screen pixel) with 适合窗口 and
//! 1:1. The caller draws its marks (OCR lines, a field's source, search hits,
//! a finding's evidence) in page pixels over the image.

use egui::{Rect, Vec2};

use super::i18n::Texts;

/// Draws marks over the page: the painter and the image's rectangle, in which
/// one unit is one page pixel.
///
/// It returns the rect (in the same coordinates) of the evidence it boxed, if
/// any, which is then named for assistive technology (and found by the tests).
pub type Overlay<'a> = Box<dyn FnOnce(&egui::Painter, Rect) -> Option<Rect> + 'a>;

/// Shows `texture` as a page of `page_size` pixels in the space left in `ui`;
/// `view` is the part of the page in view (kept by the caller between frames;
/// `Rect::ZERO` fits the page to the space).
pub fn page_canvas(
    ui: &mut egui::Ui,
    t: &Texts,
    id: &str,
    view: &mut Rect,
    texture: &egui::TextureHandle,
    page_size: Vec2,
    overlay: Option<Overlay<'_>>,
) {
    let ppp = ui.ctx().pixels_per_point();
    ui.push_id(id, |ui| {
        let space = ui.available_size();
        ui.horizontal(|ui| {
            let zoom = zoom_percent(space.x, *view, ppp);
            ui.label(egui::RichText::new(match zoom {
                Some(z) => format!("{z:.0}%"),
                None => "—".into(),
            }))
            .on_hover_text(t.word("zoom_hint"));
            if ui.button(t.fit).clicked() {
                *view = Rect::ZERO;
            }
            if ui
                .button("1:1")
                .on_hover_text(t.word("one_to_one"))
                .clicked()
            {
                *view = one_to_one(*view, space, ppp);
            }
        });
        let outer = ui.available_rect_before_wrap();
        let mut evidence = None;
        egui::Scene::new()
            .zoom_range(0.02..=8.0)
            .scroll_zooms(true)
            .show(ui, view, |ui| {
                let r = ui.add(egui::Image::new(texture).fit_to_exact_size(page_size));
                if let Some(draw) = overlay {
                    // Drawn in the scene's zoomed layer: to the screen's points.
                    let to_screen = ui.ctx().layer_transform_to_global(ui.layer_id());
                    evidence = draw(ui.painter(), r.rect).map(|e| to_screen.map_or(e, |t| t * e));
                }
            });
        // Named for assistive technology (and found by the layout tests).
        let label = t.word("page_image");
        ui.interact(outer, ui.scope_id().with("page_area"), egui::Sense::hover())
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, label));
        if let Some(e) = evidence
            .map(|e| e.intersect(outer))
            .filter(|e| e.is_positive())
        {
            let label = t.word("evidence_box");
            ui.interact(e, ui.scope_id().with("evidence"), egui::Sense::hover())
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, label));
        }
    });
}

/// Outlines `bbox` (`[left, top, width, height]` in page pixels) on the page
/// drawn at `image`, grown by `margin`, tinted with `fill` when given.
pub fn outline(
    painter: &egui::Painter,
    image: Rect,
    bbox: [u32; 4],
    margin: f32,
    stroke: egui::Stroke,
    fill: Option<egui::Color32>,
) -> Rect {
    let [x, y, w, h] = bbox.map(|v| v as f32);
    let rect = Rect::from_min_size(image.min + Vec2::new(x, y), Vec2::new(w, h)).expand(margin);
    if let Some(fill) = fill {
        painter.rect_filled(rect, 2.0, fill);
    }
    painter.rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Outside);
    rect
}

/// Physical pixels per page pixel, in percent, of a view `view` shown `width`
/// points wide (None while the view is not known yet).
pub(super) fn zoom_percent(width: f32, view: Rect, pixels_per_point: f32) -> Option<f32> {
    (view.is_finite() && view.width() > 0.0)
        .then(|| width / view.width() * pixels_per_point * 100.0)
}

/// The view of one page pixel per screen pixel around the centre of `view`.
fn one_to_one(view: Rect, space: Vec2, pixels_per_point: f32) -> Rect {
    let centre = if view.is_finite() && view.width() > 0.0 {
        view.center()
    } else {
        egui::Pos2::ZERO + space * pixels_per_point / 2.0
    };
    Rect::from_center_size(centre, space * pixels_per_point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_is_screen_pixels_per_page_pixel() {
        let view = Rect::from_min_size(egui::Pos2::ZERO, Vec2::new(2000.0, 1000.0));
        assert_eq!(zoom_percent(1000.0, view, 1.0), Some(50.0));
        assert_eq!(zoom_percent(1000.0, view, 2.0), Some(100.0));
        assert_eq!(zoom_percent(1000.0, Rect::ZERO, 1.0), None);
        let one = one_to_one(view, Vec2::new(800.0, 600.0), 1.0);
        assert_eq!(zoom_percent(800.0, one, 1.0), Some(100.0));
        assert_eq!(one.center(), view.center());
    }
}
