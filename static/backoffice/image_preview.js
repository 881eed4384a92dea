// The menu item form's image field: shows a picture the manager chooses before it is uploaded.

for (const preview of document.querySelectorAll("img[data-preview-of]")) {
  const input = document.getElementById(preview.dataset.previewOf);
  if (!input) continue;
  // A browser that cannot show the chosen file (an HEIC photo in most) shows no preview.
  preview.addEventListener("error", () => { preview.hidden = true; });
  input.addEventListener("change", () => {
    const [file] = input.files;
    preview.hidden = true;
    if (!file) return;
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      preview.src = reader.result;
      preview.hidden = false;
    });
    reader.readAsDataURL(file);
  });
}
