// Reelay console: the playground. Two forms (the pro format and Runway's API) built from the
// page's config (the catalogue's models, the pro dialect's tables, the sandbox camera's
// constants); the request shown as curl and Runway SDK code as fields change; a camera preview
// that moves the picture as the sandbox's camera would; Run, then the task followed to its result.
"use strict";
(function () {
  var configNode = document.getElementById("playground-config");
  if (!configNode) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var csrf = document.getElementById("playground-csrf").value;
  var CAM = config.camera;
  var AXES = CAM.axes.map(function (axis) {
    return axis.name;
  });
  var FINAL = { SUCCEEDED: true, FAILED: true, CANCELLED: true };
  var POLL_MS = 1000;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }
  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  // -- the picture: a sample or an upload, as a runway:// URI of this key ----------------------

  var picture = { uri: null, url: null, image: null, listeners: [] };
  var pictureStatus = $("#picture-status");

  function pictureChanged() {
    picture.listeners.forEach(function (listener) {
      listener();
    });
  }

  function usePicture(uri, url, label) {
    picture.uri = uri;
    picture.url = url;
    picture.image = null;
    if (!url) {
      pictureStatus.textContent = "No picture: image fields are left out.";
      pictureChanged();
      return;
    }
    var image = new Image();
    image.onload = function () {
      if (picture.url === url) {
        picture.image = image;
        pictureChanged();
      }
    };
    image.src = url;
    pictureStatus.textContent = label + " is ready: " + uri;
    pictureChanged();
  }

  function upload(form, label, previewUrl) {
    pictureStatus.textContent = "Uploading " + label + "…";
    return post("/console/playground/upload", form).then(function (answer) {
      if (answer.body && answer.body.uri) {
        usePicture(answer.body.uri, previewUrl, label);
      } else {
        picture.uri = null;
        pictureStatus.textContent = "The upload was refused: " + messages(answer.body);
        pictureChanged();
      }
    });
  }

  all('input[name="picture"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!radio.checked) {
        return;
      }
      if (!radio.value) {
        usePicture(null, null, "");
        return;
      }
      var form = new FormData();
      form.append("sample", radio.value);
      upload(form, "The sample " + radio.value, "/console/playground/samples/" + radio.value + ".jpg");
    });
  });

  var fileInput = $("#picture-file");
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) {
      return;
    }
    all('input[name="picture"]').forEach(function (radio) {
      radio.checked = false;
    });
    var form = new FormData();
    form.append("file", file, file.name);
    upload(form, file.name, URL.createObjectURL(file));
  });

  // -- requests to the console -----------------------------------------------------------------

  function post(url, body) {
    var json = !(body instanceof FormData);
    var headers = { "X-CSRF-Token": csrf };
    if (json) {
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: json ? JSON.stringify(body) : body,
    })
      .then(function (answer) {
        return answer
          .json()
          .catch(function () {
            return { errors: [{ field: null, message: "The console answered " + answer.status + " without JSON." }] };
          })
          .then(function (data) {
            return { status: answer.status, body: data };
          });
      })
      .catch(function (error) {
        return { status: 0, body: { errors: [{ field: null, message: "No answer: " + error } ] } };
      });
  }

  function messages(body) {
    return ((body && body.errors) || [])
      .map(function (error) {
        return (error.field ? error.field + ": " : "") + error.message;
      })
      .join("; ");
  }

  // -- the sandbox camera (engines/sandbox/camera.py), for the preview ---------------------------

  function ease(t) {
    t = clamp(t, 0, 1);
    return t - (CAM.ease * Math.sin(2 * Math.PI * t)) / (2 * Math.PI);
  }

  function multiply(a, b) {
    var out = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (var i = 0; i < 3; i++) {
      for (var j = 0; j < 3; j++) {
        out[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
      }
    }
    return out;
  }

  function rotations(yaw, pitch, roll) {
    // Turned by yaw (right +), then tilted (up +), then rolled (clockwise +); degrees.
    var a = (yaw * Math.PI) / 180;
    var b = (pitch * Math.PI) / 180;
    var c = (roll * Math.PI) / 180;
    var turn = [[Math.cos(a), 0, Math.sin(a)], [0, 1, 0], [-Math.sin(a), 0, Math.cos(a)]];
    var tilt = [[1, 0, 0], [0, Math.cos(b), -Math.sin(b)], [0, Math.sin(b), Math.cos(b)]];
    var rolled = [[Math.cos(c), -Math.sin(c), 0], [Math.sin(c), Math.cos(c), 0], [0, 0, 1]];
    return multiply(multiply(turn, tilt), rolled);
  }

  function CameraPath(motion, width, height) {
    this.motion = (motion || CAM.default_motion).map(function (value, index) {
      // Within the axis's bounds, as the pro dialect takes them (the page's config).
      var number = Number(value);
      return isNaN(number) ? 0 : clamp(number, CAM.axes[index].min, CAM.axes[index].max);
    });
    this.width = width;
    this.height = height;
    this.focal = Math.hypot(width, height) / 2 / Math.tan((CAM.diagonal_field_of_view * Math.PI) / 360);
    this.baseZoom = 1;
    var most = 0;
    for (var step = 0; step <= CAM.path_samples; step++) {
      this.seen(step / CAM.path_samples).forEach(function (corner) {
        most = Math.max(most, Math.abs(corner[0]), Math.abs(corner[1]));
      });
    }
    // Just far enough into the picture that no frame shows what lies outside it.
    this.baseZoom = Math.max(1, most);
  }

  CameraPath.prototype.view = function (t) {
    // A frame point (centred, frame pixels) -> the picture point it shows (before the base zoom).
    var m = this.motion;
    var e = ease(t);
    var centred = e - 0.5;
    var top = 1 + Math.abs(m[2]) * CAM.zoom_per_unit;
    var zoom = Math.pow(top, m[2] >= 0 ? e : 1 - e);
    var f = this.focal;
    var lensIn = [[1 / (f * zoom), 0, 0], [0, 1 / (f * zoom), 0], [0, 0, 1]];
    var lensOut = [[f, 0, 0], [0, f, 0], [0, 0, 1]];
    var slide = [
      [1, 0, m[0] * CAM.truck_per_unit * this.width * centred],
      [0, 1, -m[1] * CAM.truck_per_unit * this.height * centred],
      [0, 0, 1],
    ];
    var turned = rotations(
      m[4] * CAM.degrees_per_unit * centred,
      m[5] * CAM.degrees_per_unit * centred,
      m[3] * CAM.degrees_per_unit * centred
    );
    return multiply(multiply(multiply(slide, lensOut), turned), lensIn);
  };

  CameraPath.prototype.seen = function (t) {
    // The frame's corners on the picture, in the picture's half sizes, at base zoom 1.
    var v = this.view(t);
    var hw = this.width / 2;
    var hh = this.height / 2;
    return [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(function (corner) {
      var x = corner[0] * hw;
      var y = corner[1] * hh;
      var w = v[2][0] * x + v[2][1] * y + v[2][2];
      return [(v[0][0] * x + v[0][1] * y + v[0][2]) / w / hw, (v[1][0] * x + v[1][1] * y + v[1][2]) / w / hh];
    });
  };

  CameraPath.prototype.corners = function (t) {
    var b = this.baseZoom;
    return this.seen(t).map(function (corner) {
      return [corner[0] / b, corner[1] / b];
    });
  };

  // -- the preview: the camera's view, and its frame on the picture -----------------------------

  var SOURCE_WIDTH = 480;

  function backdrop(context, width, height) {
    // No picture: a plain chart, so the move still shows.
    context.fillStyle = "#dfe5ee";
    context.fillRect(0, 0, width, height);
    context.fillStyle = "#b8c4d6";
    var cell = width / 12;
    for (var y = 0; y * cell < height; y++) {
      for (var x = 0; x < 12; x++) {
        if ((x + y) % 2) {
          context.fillRect(x * cell, y * cell, cell, cell);
        }
      }
    }
    context.strokeStyle = "#14213d";
    context.lineWidth = 3;
    context.beginPath();
    context.arc(width / 2, height / 2, height / 4, 0, 2 * Math.PI);
    context.moveTo(width / 2, 0);
    context.lineTo(width / 2, height);
    context.moveTo(0, height / 2);
    context.lineTo(width, height / 2);
    context.stroke();
  }

  function Preview(root) {
    this.root = root;
    this.view = $(".pg-view", root);
    this.map = $(".pg-map", root);
    this.playButton = $(".pg-play", root);
    this.timeInput = $(".pg-time", root);
    this.source = document.createElement("canvas");
    this.sourcePixels = null;
    this.path = null;
    this.seconds = 5;
    this.t = 0;
    this.playing = !reduceMotion;
    this.started = null;
    this.frame = null;
    var preview = this;
    this.playButton.addEventListener("click", function () {
      preview.setPlaying(!preview.playing);
    });
    this.timeInput.addEventListener("input", function () {
      preview.setPlaying(false);
      preview.t = Number(preview.timeInput.value);
      preview.draw();
    });
    this.setPlaying(this.playing);
  }

  Preview.prototype.setPlaying = function (playing) {
    this.playing = playing;
    this.playButton.textContent = playing ? "Pause preview" : "Play preview";
    this.playButton.setAttribute("aria-pressed", playing ? "true" : "false");
    this.started = null;
    this.schedule();
  };

  Preview.prototype.set = function (motion, width, height, seconds) {
    this.path = new CameraPath(motion, width, height);
    this.seconds = seconds || 5;
    var viewWidth = this.view.width;
    this.view.height = this.map.height = Math.max(2, Math.round((viewWidth * height) / width));
    this.source.width = SOURCE_WIDTH;
    this.source.height = Math.round((SOURCE_WIDTH * height) / width);
    var context = this.source.getContext("2d", { willReadFrequently: true });
    var image = picture.image;
    if (image) {
      // Cropped around its centre to the frame's aspect (cover), as the sandbox loads a still.
      var scale = Math.max(width / image.naturalWidth, height / image.naturalHeight);
      var cropW = width / scale;
      var cropH = height / scale;
      context.drawImage(
        image,
        (image.naturalWidth - cropW) / 2,
        (image.naturalHeight - cropH) / 2,
        cropW,
        cropH,
        0,
        0,
        this.source.width,
        this.source.height
      );
    } else {
      backdrop(context, this.source.width, this.source.height);
    }
    this.sourcePixels = context.getImageData(0, 0, this.source.width, this.source.height);
    this.draw();
  };

  Preview.prototype.schedule = function () {
    if (this.frame !== null || !this.playing) {
      return;
    }
    var preview = this;
    this.frame = window.requestAnimationFrame(function (now) {
      preview.frame = null;
      if (!preview.playing) {
        return;
      }
      if (preview.started === null) {
        preview.started = now - preview.t * preview.seconds * 1000;
      }
      preview.t = ((now - preview.started) / (preview.seconds * 1000)) % 1;
      preview.timeInput.value = preview.t.toFixed(2);
      if (!preview.root.hidden) {
        preview.draw();
      }
      preview.schedule();
    });
  };

  Preview.prototype.draw = function () {
    if (!this.path || !this.sourcePixels) {
      return;
    }
    this.drawView();
    this.drawMap();
  };

  Preview.prototype.drawView = function () {
    var path = this.path;
    var v = path.view(this.t);
    var b = path.baseZoom;
    var context = this.view.getContext("2d");
    var width = this.view.width;
    var height = this.view.height;
    var out = context.createImageData(width, height);
    var src = this.sourcePixels;
    var sw = src.width;
    var sh = src.height;
    for (var j = 0; j < height; j++) {
      var fy = ((j + 0.5) / height - 0.5) * path.height;
      for (var i = 0; i < width; i++) {
        var fx = ((i + 0.5) / width - 0.5) * path.width;
        var w = v[2][0] * fx + v[2][1] * fy + v[2][2];
        var px = (v[0][0] * fx + v[0][1] * fy + v[0][2]) / w;
        var py = (v[1][0] * fx + v[1][1] * fy + v[1][2]) / w;
        var sx = clamp(Math.floor((px / (b * path.width) + 0.5) * sw), 0, sw - 1);
        var sy = clamp(Math.floor((py / (b * path.height) + 0.5) * sh), 0, sh - 1);
        var from = (sy * sw + sx) * 4;
        var to = (j * width + i) * 4;
        out.data[to] = src.data[from];
        out.data[to + 1] = src.data[from + 1];
        out.data[to + 2] = src.data[from + 2];
        out.data[to + 3] = 255;
      }
    }
    context.putImageData(out, 0, 0);
  };

  Preview.prototype.drawMap = function () {
    var context = this.map.getContext("2d");
    var width = this.map.width;
    var height = this.map.height;
    context.drawImage(this.source, 0, 0, width, height);
    var path = this;
    function outline(corners, colour, dashed) {
      context.save();
      context.strokeStyle = colour;
      context.lineWidth = 2;
      context.setLineDash(dashed ? [6, 4] : []);
      context.beginPath();
      corners.forEach(function (corner, index) {
        var x = ((corner[0] + 1) / 2) * width;
        var y = ((corner[1] + 1) / 2) * height;
        if (index === 0) {
          context.moveTo(x, y);
        } else {
          context.lineTo(x, y);
        }
      });
      context.closePath();
      context.stroke();
      context.restore();
    }
    outline(path.path.corners(0), "rgba(255,255,255,0.9)", true);
    outline(path.path.corners(this.t), "#fca311", false);
  };

  // -- shared form plumbing: errors by field, code, running and following a task ---------------

  function shellQuote(text) {
    return "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function curl(path, body, extraHeaders) {
    var lines = [
      "curl --request POST \\",
      "  --url " + config.base_url + path + " \\",
      '  --header "Authorization: Bearer $REELAY_KEY" \\',
      "  --header 'Content-Type: application/json' \\",
    ];
    Object.keys(extraHeaders || {}).forEach(function (name) {
      lines.push("  --header " + shellQuote(name + ": " + extraHeaders[name]) + " \\");
    });
    lines.push("  --data " + shellQuote(JSON.stringify(body, null, 2)));
    return lines.join("\n");
  }

  function python(value, indent) {
    // A JSON value as a Python literal.
    var pad = indent || "";
    if (value === null || value === undefined) {
      return "None";
    }
    if (value === true) {
      return "True";
    }
    if (value === false) {
      return "False";
    }
    if (Array.isArray(value)) {
      return "[" + value.map(function (item) {
        return python(item, pad);
      }).join(", ") + "]";
    }
    if (typeof value === "object") {
      return "{" + Object.keys(value).map(function (name) {
        return JSON.stringify(name) + ": " + python(value[name], pad);
      }).join(", ") + "}";
    }
    return JSON.stringify(value);
  }

  function snake(name) {
    return name.replace(/[A-Z]/g, function (letter) {
      return "_" + letter.toLowerCase();
    });
  }

  function sdkCode(endpoint, body) {
    var lines = [
      "import os",
      "",
      "from runwayml import RunwayML",
      "",
      'client = RunwayML(api_key=os.environ["REELAY_KEY"], base_url=' + JSON.stringify(config.base_url) + ")",
      "task = client." + endpoint + ".create(",
    ];
    Object.keys(body).forEach(function (name) {
      lines.push("    " + snake(name) + "=" + python(body[name]) + ",");
    });
    lines.push(").wait_for_task_output()");
    lines.push("print(task.output)");
    return lines.join("\n");
  }

  function Panel(section) {
    this.section = section;
    this.form = $("form", section);
    this.general = $(".pg-general", section);
    this.result = $(".pg-result", section);
    this.state = $(".pg-state", section);
    this.progress = $(".pg-progress", section);
    this.links = $(".pg-links", section);
    this.video = $(".pg-video", section);
    this.images = $(".pg-images", section);
    this.runButton = $(".pg-run", section);
    this.following = 0;
  }

  Panel.prototype.clearErrors = function () {
    all(".pg-error", this.section).forEach(function (node) {
      node.remove();
    });
    all("[aria-invalid]", this.section).forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    });
    this.general.hidden = true;
    this.general.textContent = "";
  };

  Panel.prototype.fieldFor = function (name) {
    // The visible field that holds `name` most specifically (promptImage.0.uri -> promptImage).
    var best = null;
    all("[data-field]", this.section).forEach(function (node) {
      if (node.closest("[hidden]")) {
        return;
      }
      var field = node.getAttribute("data-field");
      var holds = name === field || name.indexOf(field + ".") === 0 || name.indexOf(field + "[") === 0;
      if (holds && (!best || field.length > best.getAttribute("data-field").length)) {
        best = node;
      }
    });
    return best;
  };

  Panel.prototype.showErrors = function (errors) {
    var panel = this;
    var loose = [];
    errors.forEach(function (error, index) {
      var holder = error.field ? panel.fieldFor(error.field) : null;
      if (!holder) {
        loose.push((error.field ? error.field + ": " : "") + error.message);
        return;
      }
      var note = document.createElement("p");
      note.className = "pg-error error";
      note.id = panel.section.id + "-error-" + index;
      note.textContent = error.field + ": " + error.message;
      holder.appendChild(note);
      var control = $("input:not([type=hidden]), select, textarea", holder);
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", note.id);
      }
    });
    if (loose.length) {
      this.general.textContent = loose.join(" ");
      this.general.hidden = false;
    }
    var first = $(".pg-error", this.section);
    var focusable = first && $("input:not([type=hidden]), select, textarea", first.parentNode);
    if (focusable) {
      focusable.focus();
    } else if (loose.length) {
      this.general.setAttribute("tabindex", "-1");
      this.general.focus();
    }
  };

  Panel.prototype.run = function (endpoint, body, resultKind) {
    var panel = this;
    this.clearErrors();
    this.runButton.disabled = true;
    this.result.hidden = false;
    this.state.textContent = "Sending…";
    this.progress.value = 0;
    this.progress.hidden = true;
    this.links.textContent = "";
    this.video.hidden = true;
    this.video.removeAttribute("src");
    this.images.textContent = "";
    var run = ++this.following;
    post("/console/playground/run", { endpoint: endpoint, body: body }).then(function (answer) {
      panel.runButton.disabled = false;
      var data = answer.body || {};
      if (!data.task_id) {
        panel.state.textContent = "Refused (" + answer.status + "): the API's answer names what to fix.";
        panel.showErrors(data.errors || [{ field: null, message: "No task was made." }]);
        return;
      }
      panel.links.textContent = "";
      panel.progress.hidden = false;
      var link = document.createElement("a");
      link.href = data.task_url;
      link.textContent = "Task " + data.task_id + ": its page and timeline";
      panel.links.appendChild(link);
      panel.follow(run, data, resultKind);
    });
  };

  Panel.prototype.follow = function (run, created, resultKind) {
    var panel = this;
    function poll() {
      if (run !== panel.following) {
        return; // a newer run took over this panel
      }
      fetch(created.poll_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) {
          if (!answer.ok) {
            throw new Error("the console answered " + answer.status);
          }
          return answer.json();
        })
        .then(function (task) {
          var progress = task.status === "SUCCEEDED" ? 1 : task.progress || 0;
          panel.progress.value = progress;
          panel.state.textContent = task.status.toLowerCase() + " · " + Math.round(progress * 100) + "%";
          if (task.status === "FAILED") {
            panel.state.textContent += " · " + (task.failure_code || "FAILED") + ": " + (task.failure || "");
          }
          if (task.video_url && resultKind === "video") {
            panel.showVideo(task.video_url, task.poster_url);
          }
          if (task.status === "SUCCEEDED" && resultKind === "image") {
            panel.showOutput(created.task_id);
          }
          if (!FINAL[task.status]) {
            window.setTimeout(poll, POLL_MS);
          }
        })
        .catch(function (error) {
          panel.state.textContent = "Lost track of the task: " + error.message;
        });
    }
    poll();
  };

  Panel.prototype.showVideo = function (url, poster) {
    if (this.video.getAttribute("src") === url) {
      return;
    }
    if (poster) {
      this.video.poster = poster;
    }
    this.video.src = url;
    this.video.hidden = false;
    var playing = this.video.play();
    if (playing && playing.catch) {
      playing.catch(function () {}); // autoplay refused: the controls are there
    }
  };

  Panel.prototype.showOutput = function (taskId) {
    var panel = this;
    fetch("/console/playground/output/" + encodeURIComponent(taskId), { credentials: "same-origin" })
      .then(function (answer) {
        return answer.json();
      })
      .then(function (data) {
        panel.images.textContent = "";
        (data.output || []).forEach(function (url, index) {
          var link = document.createElement("a");
          link.href = url;
          var image = document.createElement("img");
          image.src = url;
          image.alt = "Result image " + (index + 1);
          link.appendChild(image);
          panel.images.appendChild(link);
        });
      });
  };

  function wireCopy() {
    all(".pg-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = document.getElementById(button.getAttribute("data-copy")).textContent;
        if (navigator.clipboard) {
          navigator.clipboard.writeText(text).then(function () {
            button.textContent = "Copied";
            window.setTimeout(function () {
              button.textContent = "Copy";
            }, 1500);
          });
        }
      });
    });
  }

  function fillSelect(select, values, chosen, emptyLabel) {
    var keep = chosen !== undefined ? String(chosen) : select.value;
    select.textContent = "";
    if (emptyLabel) {
      var none = document.createElement("option");
      none.value = "";
      none.textContent = emptyLabel;
      select.appendChild(none);
    }
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = String(value);
      option.textContent = String(value);
      select.appendChild(option);
    });
    var found = all("option", select).some(function (option) {
      return option.value === keep;
    });
    select.value = found ? keep : select.options.length ? select.options[0].value : "";
  }

  function aspectOf(ratio) {
    // A ratio's frame for the preview: pixel pairs and aspects exactly, tiers and `adaptive` 16:9.
    var parts = /^(\d+):(\d+)$/.exec(ratio || "");
    return parts ? [Number(parts[1]), Number(parts[2])] : [16, 9];
  }

  function numberOrText(text) {
    // A number field as JSON: a number when it reads as one, else as typed (the API says what is wrong).
    var number = Number(text);
    return text.trim() !== "" && !isNaN(number) ? number : text;
  }

  // -- the pro form --------------------------------------------------------------------------

  function proPanel() {
    var section = document.getElementById("pro");
    var panel = new Panel(section);
    var preview = new Preview($("#pro-preview"));
    var model = $("#pro-model");
    var ratio = $("#pro-ratio");
    var seconds = $("#pro-seconds");
    var motionOn = $("#pro-motion-on");
    var usePic = $("#pro-use-picture");
    var models = {};
    config.pro.models.forEach(function (entry) {
      models[entry.name] = entry;
    });

    function ratios() {
      // Only the ratios the chosen model renders (its sizes), in the dialect's order.
      var sizes = models[model.value].sizes;
      fillSelect(
        ratio,
        config.pro.ratios.filter(function (name) {
          return sizes[name];
        })
      );
    }

    function motion() {
      return AXES.map(function (axis) {
        return Number($("#pro-axis-" + axis).value);
      });
    }

    function body() {
      var found = { model: model.value };
      var prompt = $("#pro-prompt").value;
      if (prompt.trim()) {
        found.prompt = prompt;
      }
      found.ratio = ratio.value;
      found.style = $("#pro-style").value;
      if (usePic.checked && picture.uri) {
        found.image = picture.uri;
      }
      var seed = $("#pro-seed").value;
      if (seed.trim()) {
        found.seed = numberOrText(seed);
      }
      var callback = $("#pro-callback").value.trim();
      if (callback) {
        found.callback_url = callback;
      }
      found.options = { seconds: Number(seconds.value) };
      if (motionOn.checked) {
        var vector = {};
        AXES.forEach(function (axis) {
          vector[axis] = numberOrText($("#pro-axis-" + axis + "-n").value);
        });
        found.options.motion_vector = vector;
      }
      return found;
    }

    function update() {
      var sent = body();
      $("#pro-curl").textContent = curl(config.routes.pro_generate, sent, config.version_header.pro_generate);
      var size = models[model.value].sizes[ratio.value] || [1280, 720];
      preview.set(motionOn.checked ? motion() : null, size[0], size[1], Number(seconds.value));
    }

    AXES.forEach(function (axis) {
      var range = $("#pro-axis-" + axis);
      var number = $("#pro-axis-" + axis + "-n");
      range.addEventListener("input", function () {
        number.value = range.value;
        update();
      });
      number.addEventListener("input", function () {
        if (number.value !== "" && !isNaN(Number(number.value))) {
          range.value = number.value;
        }
        update();
      });
    });
    $("#pro-motion-reset").addEventListener("click", function () {
      AXES.forEach(function (axis) {
        $("#pro-axis-" + axis).value = 0;
        $("#pro-axis-" + axis + "-n").value = 0;
      });
      update();
    });
    model.addEventListener("change", function () {
      ratios();
      update();
    });
    panel.form.addEventListener("input", update);
    panel.form.addEventListener("change", update);
    panel.form.addEventListener("submit", function (event) {
      event.preventDefault();
      panel.run("pro_generate", body(), "video");
    });
    picture.listeners.push(update);
    ratios();
    update();
  }

  // -- the official form ----------------------------------------------------------------------

  function officialPanel() {
    var section = document.getElementById("official");
    var panel = new Panel(section);
    var preview = new Preview($("#official-preview"));
    var ratio = $("#official-ratio");
    var duration = $("#official-duration");
    var promptImage = $("#official-prompt-image");
    var references = $("#official-reference-images");
    var rows = {};
    Object.keys(config.official).forEach(function (endpoint) {
      rows[endpoint] = {};
      config.official[endpoint].forEach(function (row) {
        rows[endpoint][row.model] = row;
      });
    });

    function endpoint() {
      var chosen = $('input[name="endpoint"]:checked', section);
      return chosen ? chosen.value : Object.keys(config.official)[0];
    }

    function modelSelect() {
      return $('select[data-endpoint="' + endpoint() + '"]', section);
    }

    function row() {
      return rows[endpoint()][modelSelect().value];
    }

    function holder(name) {
      return $('.pg-field[data-field="' + name + '"]:not(.pg-model)', section);
    }

    function kept(select, field) {
      // The value chosen so far when the new model takes it too, else the model's default.
      var current = select.value;
      var known = field.choices.map(String);
      if (current !== "" && known.indexOf(current) >= 0) {
        return current;
      }
      if (!field.required) {
        return "";
      }
      return known.indexOf(String(field.default)) >= 0 ? field.default : known[0];
    }

    function layout() {
      // Show the chosen endpoint's model select, then only the fields that model takes.
      var chosen = endpoint();
      all(".pg-model", section).forEach(function (node) {
        node.hidden = node.getAttribute("data-endpoint") !== chosen;
      });
      var spec = row();
      var fields = spec.fields;
      ["promptImage", "referenceImages", "promptText", "ratio", "duration", "seed"].forEach(function (name) {
        holder(name).hidden = !fields[name];
      });
      // A picture field the model requires is always sent: checked, and not to be unchecked.
      [
        [fields.promptImage, promptImage],
        [fields.referenceImages, references],
      ].forEach(function (pair) {
        if (pair[0]) {
          pair[1].disabled = pair[0].required;
          if (pair[0].required) {
            pair[1].checked = true;
          }
        }
      });
      if (fields.promptText) {
        var text = $("#official-prompt-text");
        if (fields.promptText.max) {
          text.maxLength = fields.promptText.max;
        } else {
          text.removeAttribute("maxlength");
        }
      }
      if (fields.ratio) {
        var ratioLabel = fields.ratio.required ? null : "(left out: " + (fields.ratio.default || "the model's") + ")";
        fillSelect(ratio, fields.ratio.choices, kept(ratio, fields.ratio), ratioLabel);
      }
      if (fields.duration) {
        var durationLabel = fields.duration.required ? null : "(left out: " + fields.duration.default + " s)";
        fillSelect(duration, fields.duration.choices, kept(duration, fields.duration), durationLabel);
      }
      if (fields.seed) {
        var seed = $("#official-seed");
        seed.min = fields.seed.min;
        seed.max = fields.seed.max;
      }
      var other = $("#official-other");
      other.textContent = spec.other_fields.length
        ? spec.model + " also takes " + spec.other_fields.join(", ") + " (send them with the SDK or curl)."
        : "";
      $('label[for="official-prompt-text"]').textContent = fields.promptText && fields.promptText.required ? "promptText" : "promptText (optional)";
      $('label[for="official-ratio"]').textContent = fields.ratio && fields.ratio.required ? "ratio" : "ratio (optional)";
      $('label[for="official-duration"]').textContent =
        fields.duration && fields.duration.required ? "duration (seconds)" : "duration (seconds, optional)";
    }

    function body() {
      var fields = row().fields;
      var found = { model: modelSelect().value };
      if (fields.promptImage && promptImage.checked && picture.uri) {
        found.promptImage = picture.uri;
      }
      if (fields.referenceImages && references.checked && picture.uri) {
        found.referenceImages = [{ uri: picture.uri }];
      }
      var text = $("#official-prompt-text").value;
      if (fields.promptText && text.trim()) {
        found.promptText = text;
      }
      if (fields.ratio && ratio.value) {
        found.ratio = ratio.value;
      }
      if (fields.duration && duration.value) {
        found.duration = duration.value === "auto" ? "auto" : Number(duration.value);
      }
      var seed = $("#official-seed").value;
      if (fields.seed && seed.trim()) {
        found.seed = numberOrText(seed);
      }
      return found;
    }

    function update() {
      var chosen = endpoint();
      var sent = body();
      $("#official-curl").textContent = curl(config.routes[chosen], sent, config.version_header[chosen]);
      $("#official-python").textContent = sdkCode(chosen, sent);
      var previewRoot = $("#official-preview");
      previewRoot.hidden = chosen !== "image_to_video";
      if (!previewRoot.hidden) {
        var aspect = aspectOf(ratio.value || (row().fields.ratio && row().fields.ratio.default));
        var seconds = Number(duration.value) || row().fields.duration && row().fields.duration.default || 5;
        preview.set(null, aspect[0], aspect[1], seconds);
      }
    }

    all('input[name="endpoint"], .pg-model select', section).forEach(function (control) {
      control.addEventListener("change", function () {
        layout();
        update();
      });
    });
    panel.form.addEventListener("input", update);
    panel.form.addEventListener("change", update);
    panel.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = endpoint();
      panel.run(chosen, body(), chosen === "text_to_image" ? "image" : "video");
    });
    picture.listeners.push(update);
    layout();
    update();
  }

  proPanel();
  officialPanel();
  wireCopy();
})();
