/**
 * The first-party script a site includes (`<script src="https://pledge.example/analytics.js" defer>`):
 * it sends the page and the referrer, once per page and on each in-app navigation, with fetch
 * (`keepalive`, no credentials) or `navigator.sendBeacon`. It sets and reads no cookie or storage,
 * and sends nothing at all when the browser signals Global Privacy Control or Do Not Track.
 */
export const ANALYTICS_SCRIPT = `(function(w,d,n){
if(n.globalPrivacyControl||n.doNotTrack=="1"||w.doNotTrack=="1")return;
var u=d.currentScript.src.replace(/\\/analytics\\.js([?#].*)?$/,"/v1/analytics/hits"),r=d.referrer;
function s(){var b=JSON.stringify({page:location.href,referrer:r});r=location.href;
try{fetch(u,{method:"POST",body:b,keepalive:true,credentials:"omit",mode:"no-cors"})}catch(e){n.sendBeacon&&n.sendBeacon(u,b)}}
var p=history.pushState;history.pushState=function(){p.apply(this,arguments);s()};
w.addEventListener("popstate",s);s()})(window,document,navigator);
`;
